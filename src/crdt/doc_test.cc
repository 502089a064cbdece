// Doc's two ways to make a local edit: transact() hands the update back, edit() only gives it
// to the update listener (as yjs's doc.transact does); change_count() tells whether an update
// changed anything without a listener.
#include "crdt/doc.h"

#include <gtest/gtest.h>

#include <vector>

#include "crdt/text.h"

namespace tandem::crdt {
namespace {

TEST(Doc, EditGivesTheListenerTheUpdateTransactWouldReturn) {
  Doc by_transact(DocOptions{.client_id = 5});
  Doc by_edit(DocOptions{.client_id = 5});
  std::vector<std::vector<uint8_t>> heard;
  by_edit.on_update([&](std::span<const uint8_t> u, Origin, Transaction&) {
    heard.emplace_back(u.begin(), u.end());
  });

  Type* a = by_transact.get("text", TypeKind::Text);
  Type* b = by_edit.get("text", TypeKind::Text);
  const auto returned =
      by_transact.transact([&](Transaction& t) { (void)text_insert(t, a, 0, "héllo 👋"); });
  by_edit.edit([&](Transaction& t) { (void)text_insert(t, b, 0, "héllo 👋"); });

  ASSERT_EQ(heard.size(), 1u);
  EXPECT_EQ(heard[0], returned);
  EXPECT_EQ(text_to_string(b), "héllo 👋");
  Doc peer;
  ASSERT_TRUE(peer.apply_update(heard[0]).ok());
  EXPECT_EQ(text_to_string(peer.get("text", TypeKind::Text)), "héllo 👋");
}

TEST(Doc, EditWithoutAListenerChangesTheDocumentAndAnEditInsideATransactionJoinsIt) {
  Doc doc;
  Type* text = doc.get("text", TypeKind::Text);
  doc.edit([&](Transaction& t) { (void)text_insert(t, text, 0, "ab"); });
  EXPECT_EQ(text_to_string(text), "ab");
  const auto after_ab = doc.encode_state_as_update();
  const auto update = doc.transact([&](Transaction& t) {
    (void)text_insert(t, text, 2, "c");
    doc.edit([&](Transaction& inner) { (void)text_insert(inner, text, 3, "d"); });
  });
  EXPECT_EQ(text_to_string(text), "abcd");
  Doc peer;
  ASSERT_TRUE(peer.apply_update(doc.encode_state_as_update()).ok());
  EXPECT_EQ(text_to_string(peer.get("text", TypeKind::Text)), "abcd");
  // The outer transaction's update holds both insertions.
  Doc from_ab;
  ASSERT_TRUE(from_ab.apply_update(after_ab).ok());
  ASSERT_TRUE(from_ab.apply_update(update).ok());
  EXPECT_EQ(text_to_string(from_ab.get("text", TypeKind::Text)), "abcd");
}

TEST(Doc, ChangeCountCountsTransactionsThatChangedTheDocumentOnly) {
  Doc source(DocOptions{.client_id = 3});
  Type* st = source.get("text", TypeKind::Text);
  const auto insert = source.transact([&](Transaction& t) { (void)text_insert(t, st, 0, "abc"); });
  const auto remove = source.transact([&](Transaction& t) { (void)text_delete(t, st, 1, 1); });

  Doc doc;
  EXPECT_EQ(doc.change_count(), 0u);
  ASSERT_TRUE(doc.apply_update(insert).ok());
  EXPECT_EQ(doc.change_count(), 1u);
  ASSERT_TRUE(doc.apply_update(insert).ok());  // known already
  EXPECT_EQ(doc.change_count(), 1u);
  ASSERT_TRUE(doc.apply_update(remove).ok());  // a deletion only
  EXPECT_EQ(doc.change_count(), 2u);
  ASSERT_TRUE(doc.apply_update(remove).ok());
  ASSERT_TRUE(doc.apply_update(std::vector<uint8_t>{0, 0}).ok());  // the empty update
  EXPECT_EQ(doc.change_count(), 2u);
  EXPECT_FALSE(doc.apply_update(std::vector<uint8_t>{1, 1}).ok());  // malformed
  EXPECT_EQ(doc.change_count(), 2u);
  doc.edit([&](Transaction& t) { (void)text_insert(t, doc.get("text", TypeKind::Text), 0, "x"); });
  EXPECT_EQ(doc.change_count(), 3u);
}

}  // namespace
}  // namespace tandem::crdt
