// Applying updates whose structs depend on each other in long chains (validation walks the
// chains without recursion, so a hostile update cannot exhaust the stack), and loading
// updates into an empty document (integrated unvalidated, undone if they fail).
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
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

// Typing arrives as one struct per update, continuing its author's last item. The receiver
// grows that item at once where yjs integrates a new item and merges the two in the
// transaction's cleanup (appendable_to); what it stores and emits must be what yjs would.

// Each of `chars` typed at the end of `doc`'s text in a transaction of its own; the updates.
std::vector<std::vector<uint8_t>> type_at_end(Doc& doc, const std::vector<std::string>& chars) {
  Type* text = doc.get("text", TypeKind::Text);
  std::vector<std::vector<uint8_t>> updates;
  for (const std::string& c : chars) {
    updates.push_back(doc.transact([&](Transaction& t) { (void)text_insert(t, text, text->length(), c); }));
  }
  return updates;
}

// A fuzzer's find (fuzz/corpus/apply_v2/regression-grown-item-mid-update): one update of
// many structs of one client, one of which continues the item before it. Growing that item at
// once made a later struct's conflict scan see one item where yjs sees two, and place a
// letter elsewhere. Loaded directly and by the general path, it must give yjs's state.
TEST(UpdateApply, AStructContinuingAnItemMidUpdateIsPlacedAsYjsPlacesIt) {
  auto read = [](const std::string& path) {
    std::ifstream f(std::string(TANDEM_SOURCE_DIR) + "/" + path, std::ios::binary);
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  };
  const auto update = read("fuzz/corpus/apply_v2/regression-grown-item-mid-update");
  const auto yjs_state = read("tests/fixtures/regressions/grown-item-mid-update.yjs-state-v1");
  ASSERT_FALSE(update.empty());
  ASSERT_FALSE(yjs_state.empty());
  for (bool direct : {true, false}) {
    Doc doc(DocOptions{.direct_load = direct});
    doc.get("text", TypeKind::Text);
    ASSERT_TRUE(doc.apply_update(update, UpdateVersion::V2).ok());
    EXPECT_EQ(doc.encode_state_as_update(), yjs_state) << (direct ? "direct load" : "general path");
  }
}

TEST(UpdateApply, TypingGrowsTheAuthorsLastItem) {
  Doc author(DocOptions{.client_id = 5});
  auto updates = type_at_end(author, {"h", "é", "l", "👋", "o"});
  Doc receiver(DocOptions{.client_id = 9});
  std::vector<std::vector<uint8_t>> emitted;
  receiver.on_update([&](std::span<const uint8_t> u, Origin, Transaction&) { emitted.emplace_back(u.begin(), u.end()); });
  for (const auto& u : updates) ASSERT_TRUE(receiver.apply_update(u).ok());

  Type* text = receiver.get("text", TypeKind::Text);
  EXPECT_EQ(text_to_string(text), "hél👋o");
  EXPECT_EQ(text->length(), 6u);  // UTF-16 units
  EXPECT_EQ(receiver.store().client_structs(5)->size(), 1u);
  EXPECT_TRUE(receiver.store().check_integrity().ok());
  // Each remote transaction emits the update it applied, as yjs's would.
  EXPECT_EQ(emitted, updates);
  EXPECT_EQ(receiver.encode_state_as_update(), author.encode_state_as_update());
}

TEST(UpdateApply, TypingThatMeetsAnotherClientsInsertionIsOrderedAsYjsOrdersIt) {
  // Client `other` inserts at the author's end while the author, not knowing it, types on.
  // Among insertions at one place the lower client id comes first (YATA), so with other < 5
  // the author's "o" goes right of the other's insertion and cannot grow "hel".
  for (ClientId other : {ClientId{1}, ClientId{7}}) {
    SCOPED_TRACE(other);
    Doc author(DocOptions{.client_id = 5});
    const auto hel = type_at_end(author, {"h", "e", "l"});
    Doc concurrent(DocOptions{.client_id = other});
    for (const auto& u : hel) ASSERT_TRUE(concurrent.apply_update(u).ok());
    const auto y = type_at_end(concurrent, {"Y"});
    const auto o = type_at_end(author, {"o"});

    Doc first_y, first_o;  // the two orders of arrival
    for (const auto& u : hel) {
      ASSERT_TRUE(first_y.apply_update(u).ok());
      ASSERT_TRUE(first_o.apply_update(u).ok());
    }
    ASSERT_TRUE(first_y.apply_update(y[0]).ok());
    ASSERT_TRUE(first_y.apply_update(o[0]).ok());
    ASSERT_TRUE(first_o.apply_update(o[0]).ok());
    ASSERT_TRUE(first_o.apply_update(y[0]).ok());
    const std::string expected = other < 5 ? "helYo" : "heloY";
    EXPECT_EQ(text_to_string(first_y.get("text", TypeKind::Text)), expected);
    EXPECT_EQ(text_to_string(first_o.get("text", TypeKind::Text)), expected);
    EXPECT_EQ(first_y.encode_state_as_update(), first_o.encode_state_as_update());
    // "helo" is one item where "o" ended up right of "hel", in either order.
    EXPECT_EQ(first_y.store().client_structs(5)->size(), other < 5 ? 2u : 1u);
    EXPECT_EQ(first_o.store().client_structs(5)->size(), other < 5 ? 2u : 1u);
  }
}

TEST(UpdateApply, TypingInFrontOfAnotherClientsInsertionStaysAnItemOfItsOwn) {
  // The author sees "Z" appended after "hel" and types "o" between the two: its right origin
  // is Z, where the right origin of "hel" is the end. yjs merges items of one right origin
  // only, so "o" must stay an item of its own (with its own right origin) at the receiver.
  Doc author(DocOptions{.client_id = 5});
  const auto hel = type_at_end(author, {"h", "e", "l"});
  Doc other(DocOptions{.client_id = 7});
  for (const auto& u : hel) ASSERT_TRUE(other.apply_update(u).ok());
  const auto z = type_at_end(other, {"Z"});
  ASSERT_TRUE(author.apply_update(z[0]).ok());
  Type* text = author.get("text", TypeKind::Text);
  const auto o = author.transact([&](Transaction& t) { (void)text_insert(t, text, 3, "o"); });

  Doc receiver(DocOptions{.client_id = 9});
  for (const auto& u : hel) ASSERT_TRUE(receiver.apply_update(u).ok());
  ASSERT_TRUE(receiver.apply_update(z[0]).ok());
  ASSERT_TRUE(receiver.apply_update(o).ok());
  EXPECT_EQ(text_to_string(receiver.get("text", TypeKind::Text)), "heloZ");
  EXPECT_EQ(receiver.store().client_structs(5)->size(), 2u);
  EXPECT_EQ(receiver.encode_state_as_update(), author.encode_state_as_update());
}

TEST(UpdateApply, AnUpdateThatTypesAndDeletesPartOfItIsAppliedAsItsAuthorMadeIt) {
  Doc author(DocOptions{.client_id = 5});
  const auto abc = type_at_end(author, {"a", "b", "c"});
  Type* text = author.get("text", TypeKind::Text);
  const auto update = author.transact([&](Transaction& t) {
    (void)text_insert(t, text, 3, "de");
    (void)text_delete(t, text, 1, 3);  // "bcd": the typed "d" and what it continued
  });
  Doc receiver(DocOptions{.client_id = 9});
  for (const auto& u : abc) ASSERT_TRUE(receiver.apply_update(u).ok());
  ASSERT_TRUE(receiver.apply_update(update).ok());
  EXPECT_EQ(text_to_string(receiver.get("text", TypeKind::Text)), "ae");
  EXPECT_TRUE(receiver.store().check_integrity().ok());
  EXPECT_EQ(receiver.encode_state_as_update(), author.encode_state_as_update());
}

}  // namespace
}  // namespace tandem::crdt
