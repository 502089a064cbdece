#include "crdt/struct_list.h"

#include <gtest/gtest.h>

#include <deque>

namespace tandem::crdt {
namespace {

// Items of one client covering clocks without gaps, as a StructStore keeps them; a model
// (a plain vector) is checked against the list after every change.
class StructListTest : public ::testing::Test {
 protected:
  Item* make(Clock clock, uint64_t length) {
    Item& it = items_.emplace_back();
    it.id = ID{1, clock};
    it.length = length;
    return &it;
  }
  void expect_same() {
    ASSERT_EQ(list_.size(), model_.size());
    for (size_t i = 0; i < model_.size(); ++i) ASSERT_EQ(list_[i], model_[i]) << "position " << i;
    size_t i = 0;
    list_.for_each_from(0, [&](Item* it) { EXPECT_EQ(it, model_[i++]); });
    EXPECT_EQ(i, model_.size());
    const size_t n = model_.size();
    for (size_t k = 0; k < n; ++k) {
      for (Clock c = model_[k]->id.clock; c < model_[k]->id.clock + model_[k]->length; ++c) {
        ASSERT_EQ(list_.find_index(c), k) << "clock " << c;
      }
      // From both ends, from next door and from somewhere else entirely.
      const Clock c = model_[k]->id.clock + model_[k]->length - 1;
      for (size_t near : {size_t{0}, n - 1, k, k > 0 ? k - 1 : 0, std::min(k + 1, n - 1), (k * 7919) % n}) {
        ASSERT_EQ(list_.find_index_near(c, near), k) << "clock " << c << " from " << near;
      }
    }
  }
  //! Splits the struct at position k in two, as split_item does, in the list and the model.
  void split(size_t k, uint64_t at) {
    Item* left = model_[k];
    Item* right = make(left->id.clock + at, left->length - at);
    left->length = at;
    list_.insert(k + 1, right);
    model_.insert(model_.begin() + static_cast<ptrdiff_t>(k) + 1, right);
  }
  //! Merges the structs at positions [k, k + n] into the one at k, as merging does.
  void merge(size_t k, size_t n) {
    for (size_t j = 1; j <= n; ++j) model_[k]->length += model_[k + j]->length;
    list_.erase(k + 1, k + 1 + n);
    model_.erase(model_.begin() + static_cast<ptrdiff_t>(k) + 1,
                 model_.begin() + static_cast<ptrdiff_t>(k + 1 + n));
  }

  std::deque<Item> items_;  // stable addresses
  StructList list_;
  std::vector<Item*> model_;
};

TEST_F(StructListTest, AppendsAndFindsAcrossBlocks) {
  Clock clock = 0;
  for (int i = 0; i < 3000; ++i) {
    uint64_t len = 1 + static_cast<uint64_t>(i % 5);
    Item* it = make(clock, len);
    list_.push_back(it);
    model_.push_back(it);
    clock += len;
  }
  expect_same();
  EXPECT_EQ(list_.front(), model_.front());
  EXPECT_EQ(list_.back(), model_.back());
}

TEST_F(StructListTest, SplitsAndMergesKeepPositionsAndClocks) {
  Clock clock = 0;
  for (int i = 0; i < 600; ++i) {
    Item* it = make(clock, 8);
    list_.push_back(it);
    model_.push_back(it);
    clock += 8;
  }
  // Splits concentrated in one block make it split in halves; then merges, including at the
  // end of the list, at the start of a block, and across a block boundary.
  for (size_t i = 0; i < 700; ++i) {
    size_t k = i * 7 % 400;  // positions in the first blocks only
    if (model_[k]->length >= 2) split(k, 1 + i % (model_[k]->length - 1));
  }
  EXPECT_GT(model_.size(), 1024u);  // more than a full block (2 * 512) holds
  expect_same();
  merge(model_.size() - 2, 1);
  expect_same();
  merge(0, 3);
  expect_same();
  merge(400, 500);  // spans blocks
  expect_same();
  while (model_.size() > 1) {
    merge(model_.size() > 40 ? model_.size() - 40 : 0, model_.size() > 40 ? 39 : model_.size() - 1);
    expect_same();
  }
  EXPECT_EQ(list_.find_index(clock - 1), 0u);
}

TEST_F(StructListTest, ReplacePutsAnItemOfTheSameClockInPlace) {
  for (Clock c = 0; c < 10; ++c) {
    Item* it = make(c, 1);
    list_.push_back(it);
    model_.push_back(it);
  }
  Item* gc = make(4, 1);
  list_.replace(4, gc);
  model_[4] = gc;
  expect_same();
}

}  // namespace
}  // namespace tandem::crdt
