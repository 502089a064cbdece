// Applying updates whose structs depend on each other in long chains (validation walks the
// chains without recursion, so a hostile update cannot exhaust the stack), and loading
// updates into an empty document (integrated unvalidated, undone if they fail).
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

struct Deleted {
  ClientId client;
  Clock clock, len;
};

// A v1 update with one section per client (listed in the order given) and the given deletes
// (one range per client).
std::vector<uint8_t> update_of(const std::vector<std::pair<ClientId, std::vector<Spec>>>& sections,
                               const std::vector<Deleted>& deletes = {}) {
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
  e.write_var_uint(deletes.size());
  for (const Deleted& d : deletes) {
    e.write_var_uint(d.client);
    e.write_var_uint(1);  // one range
    e.write_var_uint(d.clock);
    e.write_var_uint(d.len);
  }
  return e.take();
}

// `n` one-character structs of one client typed left to right under root `root`.
std::vector<Spec> typed(ClientId client, size_t n, const std::string& root) {
  std::vector<Spec> specs(n);
  specs[0] = under_root(root);
  for (size_t k = 1; k < n; ++k) specs[k].origin = ID{client, k - 1};
  return specs;
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
  ASSERT_TRUE(doc.transact([&](Transaction& t) { (void)text_insert(t, text, 0, "kept"); }).size() >
              0);
  const std::vector<uint8_t> before = doc.encode_state_as_update();
  Status st = doc.apply_update(update_of(sections));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("origin and right origin are in different parents"),
            std::string::npos)
      << st.message();
  EXPECT_EQ(doc.encode_state_as_update(), before);
  EXPECT_FALSE(doc.has_pending());
}

// An update loaded into an empty document is integrated without validating it first (see
// Doc::apply_update); these pin down that the result is the same as validating first.

TEST(UpdateApply, ALoadThatFailsHalfwayLeavesTheEmptyDocumentAsItWas) {
  // Clients are integrated from the highest: 3 (under root "b"), then 2, which needs all of
  // client 1 first; only then is client 2's struct found to sit between "a" and "b".
  Spec bad;
  bad.origin = ID{1, 999};
  bad.right_origin = ID{3, 0};
  const auto update = update_of({{1, typed(1, 1000, "a")}, {2, {bad}}, {3, {under_root("b")}}});
  Doc doc;
  Type* a = doc.get("a", TypeKind::Text);
  int updates = 0;
  doc.on_update([&](std::span<const uint8_t>, Origin, Transaction&) { ++updates; });
  const std::vector<uint8_t> empty = doc.encode_state_as_update();

  Status st = doc.apply_update(update);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("origin and right origin are in different parents"),
            std::string::npos)
      << st.message();
  EXPECT_EQ(updates, 0);
  EXPECT_EQ(doc.encode_state_as_update(), empty);
  EXPECT_TRUE(doc.state_vector().empty());
  EXPECT_FALSE(doc.has_pending());
  ASSERT_EQ(doc.roots().size(), 1u);  // root "b", created while integrating, is gone
  EXPECT_EQ(a->length(), 0u);
  EXPECT_EQ(a->start(), nullptr);
  EXPECT_TRUE(doc.store().check_integrity().ok());

  // The document and the root it handed out still work.
  ASSERT_TRUE(doc.apply_update(update_of({{1, typed(1, 3, "a")}})).ok());
  EXPECT_EQ(text_to_string(a), "xxx");
  EXPECT_EQ(updates, 1);
}

TEST(UpdateApply, ALoadWithAStructReferringToItsOwnFutureIsRejected) {
  auto specs = typed(1, 50, "text");
  specs[49].origin = ID{1, 60};  // after itself
  Doc doc;
  Status st = doc.apply_update(update_of({{1, specs}}));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("is not earlier than the struct"), std::string::npos) << st.message();
  EXPECT_TRUE(doc.state_vector().empty());
  EXPECT_TRUE(doc.roots().empty());
}

TEST(UpdateApply, ALoadThatLeavesStructsPendingKeepsThemAsAnyUpdateWould) {
  Spec waits;
  waits.origin = ID{5, 0};  // client 5 is not in the update
  Doc doc;
  int updates = 0;
  doc.on_update([&](std::span<const uint8_t>, Origin, Transaction&) { ++updates; });
  ASSERT_TRUE(doc.apply_update(update_of({{1, typed(1, 10, "text")}, {2, {waits}}})).ok());
  EXPECT_EQ(updates, 1);
  EXPECT_EQ(text_to_string(doc.get("text", TypeKind::Text)), "xxxxxxxxxx");
  ASSERT_TRUE(doc.pending_structs().has_value());
  EXPECT_EQ(doc.pending_structs()->missing, (StateVector{{5, 0}}));
  EXPECT_EQ(doc.state_vector(), (StateVector{{1, 10}}));
  // When client 5 arrives, the waiting struct follows it.
  ASSERT_TRUE(doc.apply_update(update_of({{5, {under_root("text")}}})).ok());
  EXPECT_FALSE(doc.has_pending());
  EXPECT_EQ(doc.state_vector(), (StateVector{{1, 10}, {2, 1}, {5, 1}}));
}

TEST(UpdateApply, ALoadListingAClientTwiceKeepsTheLastSectionAsYjsDoes) {
  Doc doc;
  ASSERT_TRUE(
      doc.apply_update(update_of({{1, typed(1, 3, "text")}, {1, typed(1, 5, "text")}})).ok());
  EXPECT_EQ(text_to_string(doc.get("text", TypeKind::Text)), "xxxxx");
  EXPECT_EQ(doc.state_vector(), (StateVector{{1, 5}}));
}

TEST(UpdateApply, ALoadWhoseDeletesReachPastItsStructsKeepsThemPending) {
  Doc doc;
  ASSERT_TRUE(
      doc.apply_update(update_of({{1, typed(1, 10, "text")}}, {{1, 2, 3}, {7, 0, 1}})).ok());
  EXPECT_EQ(text_to_string(doc.get("text", TypeKind::Text)), "xxxxxxx");
  EXPECT_TRUE(doc.pending_delete_set().has_value());
  EXPECT_FALSE(doc.pending_structs().has_value());
}

}  // namespace
}  // namespace tandem::crdt
