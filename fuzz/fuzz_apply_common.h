// Shared body of the apply fuzzers: apply the input to a document that already has content;
// if it is rejected, the document's state must be byte-identical to before.
#pragma once

#include <cstdlib>
#include <span>

#include "crdt/doc.h"
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

}  // namespace tandem::fuzz
