// text_insert_after and text_delete_id: edits addressed by a character's id instead of an index.
// Each must emit the very update the index-based edit (checked against yjs in text_test.cc)
// emits for the same character, across remote edits in between; and keep its place when
// others insert before it.
#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>

#include "crdt/doc.h"
#include "crdt/text.h"

namespace tandem::crdt {
namespace {

//! The id of the character at visible index `index` of `text`, if there is one.
std::optional<ID> id_at(const Type* text, uint64_t index) {
  for (const Item* p = text->start(); p != nullptr; p = p->right) {
    if (p->deleted() || !p->countable()) continue;
    if (index < p->length) return ID{p->id.client, p->id.clock + index};
    index -= p->length;
  }
  return std::nullopt;
}

//! Whether the character after `id` (in the list, deleted or not) is a deleted one.
bool deleted_after(const Doc& doc, ID id) {
  const Item* item = doc.store().find(id);
  if (id.clock + 1 < item->id.clock + item->length) return item->deleted();
  return item->right != nullptr && item->right->deleted();
}

TEST(TextRelative, EmitsTheUpdatesOfTheIndexBasedEditsAcrossRemoteEdits) {
  // by_index and by_id are the same client doing the same edits, one by index and one by id;
  // other is a second client whose edits both receive.
  Doc by_index(DocOptions{.client_id = 7});
  Doc by_id(DocOptions{.client_id = 7});
  Doc other(DocOptions{.client_id = 3});
  Type* ti = by_index.get("t", TypeKind::Text);
  Type* tr = by_id.get("t", TypeKind::Text);
  Type* to = other.get("t", TypeKind::Text);
  std::mt19937 rng(11);
  auto pick = [&](uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng); };
  int inserts_after = 0, deletes = 0, after_deleted = 0;
  for (int step = 0; step < 3000; ++step) {
    const uint64_t len = ti->length();
    const uint64_t roll = pick(10);
    if (roll < 3 || len == 0) {
      // The other client types somewhere (and now and then deletes): markers are cleared.
      auto u = other.transact([&](Transaction& t) {
        const uint64_t olen = to->length();
        if (olen > 0 && pick(4) == 0) {
          ASSERT_TRUE(text_delete(t, to, pick(olen), 1).ok());
        } else {
          ASSERT_TRUE(text_insert(t, to, pick(olen + 1), std::string(1 + pick(3), 'o')).ok());
        }
      });
      ASSERT_TRUE(by_index.apply_update(u).ok());
      ASSERT_TRUE(by_id.apply_update(u).ok());
    } else if (roll < 8) {
      const uint64_t i = pick(len);
      const std::string s = step % 7 == 0 ? "w\xC3\xA9rd" : "x";
      const ID after = id_at(tr, i).value();
      const bool deleted_follows = deleted_after(by_id, after);
      auto ur = by_id.transact([&](Transaction& t) { ASSERT_TRUE(text_insert_after(t, tr, after, s).ok()); });
      if (!deleted_follows) {
        auto ui = by_index.transact([&](Transaction& t) { ASSERT_TRUE(text_insert(t, ti, i + 1, s).ok()); });
        ASSERT_EQ(ui, ur) << "insert after index " << i << " at step " << step;
      } else {
        // yjs's search markers may place the index-based insertion after the deleted
        // characters (left of a marked item) rather than right after `after`: the same place
        // in the text, another origin. The text must be the index-based one; by_index takes
        // by_id's update, so that the two stay the same document.
        Doc copy(DocOptions{.client_id = 7});
        ASSERT_TRUE(copy.apply_update(by_index.encode_state_as_update()).ok());
        Type* tc = copy.get("t", TypeKind::Text);
        copy.transact([&](Transaction& t) { ASSERT_TRUE(text_insert(t, tc, i + 1, s).ok()); });
        ASSERT_EQ(text_to_string(tr), text_to_string(tc)) << "insert after index " << i << " at step " << step;
        ASSERT_TRUE(by_index.apply_update(ur).ok());
        ++after_deleted;
      }
      ASSERT_TRUE(other.apply_update(ur).ok());
      ++inserts_after;
    } else {
      const uint64_t i = pick(len);
      const ID id = id_at(tr, i).value();
      auto ui = by_index.transact([&](Transaction& t) { ASSERT_TRUE(text_delete(t, ti, i, 1).ok()); });
      auto ur = by_id.transact([&](Transaction& t) { ASSERT_TRUE(text_delete_id(t, tr, id).ok()); });
      ASSERT_EQ(ui, ur) << "delete at index " << i << " at step " << step;
      ASSERT_TRUE(other.apply_update(ui).ok());
      ++deletes;
    }
    // Index-based edits on by_id too, so that it has search markers to keep right.
    if (step % 5 == 0 && tr->length() > 0) {
      const uint64_t i = pick(tr->length());
      auto ui = by_index.transact([&](Transaction& t) { ASSERT_TRUE(text_insert(t, ti, i, "m").ok()); });
      auto ur = by_id.transact([&](Transaction& t) { ASSERT_TRUE(text_insert(t, tr, i, "m").ok()); });
      ASSERT_EQ(ui, ur) << "index insert at " << i << " at step " << step;
      ASSERT_TRUE(other.apply_update(ui).ok());
    }
  }
  EXPECT_GT(inserts_after, 1000);
  EXPECT_GT(after_deleted, 10);
  EXPECT_GT(deletes, 300);
  EXPECT_EQ(text_to_string(tr), text_to_string(ti));
  EXPECT_EQ(text_to_string(to), text_to_string(ti));
  EXPECT_EQ(by_id.encode_state_as_update(), by_index.encode_state_as_update());
  EXPECT_TRUE(by_id.store().check_integrity().ok());
}

TEST(TextRelative, KeepsItsPlaceWhenOthersInsertBeforeIt) {
  Doc a(DocOptions{.client_id = 1});
  Doc b(DocOptions{.client_id = 2});
  Type* ta = a.get("t", TypeKind::Text);
  Type* tb = b.get("t", TypeKind::Text);
  ASSERT_TRUE(b.apply_update(a.transact([&](Transaction& t) { ASSERT_TRUE(text_insert(t, ta, 0, "abc").ok()); })).ok());
  const ID c = id_at(ta, 2).value();
  ASSERT_TRUE(a.apply_update(b.transact([&](Transaction& t) { ASSERT_TRUE(text_insert(t, tb, 0, "ZZ").ok()); })).ok());
  a.transact([&](Transaction& t) { ASSERT_TRUE(text_insert_after(t, ta, c, "!").ok()); });
  EXPECT_EQ(text_to_string(ta), "ZZabc!");
  // After a deleted character: the insertion goes where it stood.
  const ID b_char = id_at(ta, 3).value();
  a.transact([&](Transaction& t) { ASSERT_TRUE(text_delete_id(t, ta, b_char).ok()); });
  EXPECT_EQ(text_to_string(ta), "ZZac!");
  a.transact([&](Transaction& t) { ASSERT_TRUE(text_insert_after(t, ta, b_char, "B").ok()); });
  EXPECT_EQ(text_to_string(ta), "ZZaBc!");
  // Deleting it again changes nothing.
  EXPECT_TRUE(a.transact([&](Transaction& t) { ASSERT_TRUE(text_delete_id(t, ta, b_char).ok()); }).empty());
  ASSERT_TRUE(b.apply_update(a.encode_state_as_update()).ok());
  EXPECT_EQ(text_to_string(tb), "ZZaBc!");
}

TEST(TextRelative, RefusesCharactersThatAreNotInTheTextAndChangesNothing) {
  Doc doc(DocOptions{.client_id = 1});
  Type* t1 = doc.get("t", TypeKind::Text);
  Type* t2 = doc.get("u", TypeKind::Text);
  doc.transact([&](Transaction& t) {
    ASSERT_TRUE(text_insert(t, t1, 0, "abc").ok());
    ASSERT_TRUE(text_insert(t, t2, 0, "xyz").ok());
  });
  const std::vector<uint8_t> before = doc.encode_state_as_update();
  const ID in_u = id_at(t2, 1).value();
  const ID unknown{1, 100};
  const ID other_client{9, 0};
  auto update = doc.transact([&](Transaction& t) {
    EXPECT_FALSE(text_insert_after(t, t1, in_u, "!").ok());
    EXPECT_FALSE(text_insert_after(t, t1, unknown, "!").ok());
    EXPECT_FALSE(text_insert_after(t, t1, other_client, "!").ok());
    EXPECT_FALSE(text_delete_id(t, t1, in_u).ok());
    EXPECT_FALSE(text_delete_id(t, t1, unknown).ok());
    EXPECT_FALSE(text_insert_after(t, t1, id_at(t1, 0).value(), "\xFF").ok());
  });
  EXPECT_TRUE(update.empty());
  EXPECT_EQ(doc.encode_state_as_update(), before);
  EXPECT_EQ(text_to_string(t1), "abc");
}

}  // namespace
}  // namespace tandem::crdt
