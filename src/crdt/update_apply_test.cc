// Applying updates whose structs depend on each other in long chains: validation walks the
// chains without recursion, so a hostile update cannot exhaust the stack.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crdt/doc.h"
#include "crdt/lib0_encoding.h"
#include "crdt/text.h"

namespace tandem::crdt {
namespace {

constexpr uint8_t kString = 4, kHasOrigin = 0x80, kHasRightOrigin = 0x40;

// One struct of a v1 update: a one-character string with optional origins, or under a root.
struct Spec {
  std::optional<ID> origin, right_origin;
  std::string root;  // when there are no origins
};

Spec under_root(std::string name) {
  Spec s;
  s.root = std::move(name);
  return s;
}

// A v1 update with one section per client (listed in the order given), no deletes.
std::vector<uint8_t> update_of(const std::vector<std::pair<ClientId, std::vector<Spec>>>& sections) {
  Encoder e;
  e.write_var_uint(sections.size());
  for (const auto& [client, specs] : sections) {
    e.write_var_uint(specs.size());
    e.write_var_uint(client);
    e.write_var_uint(0);  // first clock
    for (const Spec& s : specs) {
      e.write_u8(kString | (s.origin ? kHasOrigin : 0) | (s.right_origin ? kHasRightOrigin : 0));
      if (s.origin) {
        e.write_var_uint(s.origin->client);
        e.write_var_uint(s.origin->clock);
      }
      if (s.right_origin) {
        e.write_var_uint(s.right_origin->client);
        e.write_var_uint(s.right_origin->clock);
      }
      if (!s.origin && !s.right_origin) {
        e.write_var_uint(1);  // parent is a root, by name
        e.write_var_string(s.root);
      }
      e.write_var_string("x");
    }
  }
  e.write_var_uint(0);  // delete set: no clients
  return e.take();
}

// Client 2's struct k has its origin in client 1's struct k, whose origin is client 2's struct
// k + 1: resolving the parent of the first struct walks all 2n of them.
std::vector<std::pair<ClientId, std::vector<Spec>>> zigzag(size_t n) {
  std::vector<Spec> two(n), one(n);
  for (size_t k = 0; k < n; ++k) {
    two[k].origin = ID{1, k};
    if (k + 1 < n) one[k].origin = ID{2, k + 1};
  }
  return {{2, std::move(two)}, {1, std::move(one)}};
}

constexpr size_t kDeep = 300'000;  // far deeper than any stack holds frames for

TEST(UpdateApply, AChainOfDependenciesEndingInACycleStaysPendingAsInYjs) {
  auto sections = zigzag(kDeep);
  sections[1].second.back().origin = ID{2, 0};  // client 1's last struct points back: a cycle
  Doc doc;
  ASSERT_TRUE(doc.apply_update(update_of(sections)).ok());
  // Yjs 13.6 leaves such an update pending and the text empty (checked by hand with the same
  // bytes); so does Tandem, instead of overflowing its stack while validating.
  EXPECT_EQ(text_to_string(doc.get("text", TypeKind::Text)), "");
  EXPECT_TRUE(doc.has_pending());
}

TEST(UpdateApply, AnInconsistencyAtTheEndOfALongChainIsRejectedAndChangesNothing) {
  auto sections = zigzag(kDeep);
  sections[1].second.back() = under_root("a");  // the chain ends under root "a"...
  sections[0].second.back().right_origin = ID{3, 0};
  sections.push_back({3, {under_root("b")}});  // ...and a right origin under root "b"
  Doc doc;
  Type* text = doc.get("a", TypeKind::Text);
  ASSERT_TRUE(doc.transact([&](Transaction& t) { (void)text_insert(t, text, 0, "kept"); }).size() > 0);
  const std::vector<uint8_t> before = doc.encode_state_as_update();
  Status st = doc.apply_update(update_of(sections));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("origin and right origin are in different parents"), std::string::npos)
      << st.message();
  EXPECT_EQ(doc.encode_state_as_update(), before);
  EXPECT_FALSE(doc.has_pending());
}

}  // namespace
}  // namespace tandem::crdt
