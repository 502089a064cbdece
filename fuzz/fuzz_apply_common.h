// Shared body of the apply fuzzers: apply the input to a document that already has content;
// if it is rejected, the document's state must be byte-identical to before. And load it into
// an empty document both ways (directly, and by the general path): same verdict, same state.
#pragma once

#include <cstdlib>
#include <span>
#include <string>

#include "crdt/doc.h"
#include "crdt/js_json.h"
#include "crdt/text.h"

namespace tandem::fuzz {

inline void apply_twice_and_check(std::span<const uint8_t> input, crdt::UpdateVersion v) {
  crdt::Doc doc(crdt::DocOptions{.client_id = 7});
  crdt::Type* text = doc.get("text", crdt::TypeKind::Text);
  doc.transact([&](crdt::Transaction& t) { (void)crdt::text_insert(t, text, 0, "hello world"); });
  auto before = doc.encode_state_as_update();
  Status st = doc.apply_update(input, v);
  if (!st.ok() && doc.encode_state_as_update() != before) std::abort();
  if (!doc.store().check_integrity().ok()) std::abort();
  // Applying the same input again must be harmless.
  (void)doc.apply_update(input, v);
  (void)doc.encode_state_as_update(crdt::StateVector{}, crdt::UpdateVersion::V2);
}

// Everything observable of a document: its state (with anything pending) and its roots.
inline std::string observe(const crdt::Doc& doc) {
  auto state = doc.encode_state_as_update(crdt::StateVector{}, crdt::UpdateVersion::V2);
  std::string out(state.begin(), state.end());
  for (const auto& [name, root] : doc.roots()) {
    out += '\n' + name + '=' + crdt::js_stringify(root->to_json());
  }
  return out;
}

inline void load_both_ways_and_compare(std::span<const uint8_t> input, crdt::UpdateVersion v) {
  crdt::Doc direct;
  crdt::Doc general(crdt::DocOptions{.direct_load = false});
  crdt::Type* text = direct.get("text", crdt::TypeKind::Text);  // a root held while loading
  (void)general.get("text", crdt::TypeKind::Text);
  const std::string empty = observe(direct);
  Status a = direct.apply_update(input, v);
  Status b = general.apply_update(input, v);
  if (a.ok() != b.ok()) std::abort();
  if (!a.ok() && (observe(direct) != empty || text->length() != 0)) std::abort();
  if (observe(direct) != observe(general)) std::abort();
  if (!direct.store().check_integrity().ok()) std::abort();
}

}  // namespace tandem::fuzz
