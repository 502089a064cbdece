#include "server/fifo.h"

#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <random>

namespace tandem::server {
namespace {

TEST(Fifo, BehavesAsADequeUsedAsAQueue) {
  Fifo<std::unique_ptr<int>> fifo;
  std::deque<int> model;
  std::mt19937 rng(7);
  int next = 0;
  for (int step = 0; step < 20000; ++step) {
    // Bursts of pushes and pops, so the queue both drains and grows past the compaction point.
    if (model.empty() || rng() % 3 != 0) {
      fifo.push_back(std::make_unique<int>(next));
      model.push_back(next++);
    } else {
      ASSERT_EQ(*fifo.front(), model.front());
      fifo.pop_front();
      model.pop_front();
    }
    ASSERT_EQ(fifo.size(), model.size());
    ASSERT_EQ(fifo.empty(), model.empty());
    if (!model.empty()) {
      ASSERT_EQ(*fifo.back(), model.back());
    }
  }
  size_t i = 0;
  for (auto& v : fifo) ASSERT_EQ(*v, model[i++]);
  EXPECT_EQ(i, model.size());
}

TEST(Fifo, DropsWhatItHeldWhenPoppedAndWhenEmpty) {
  auto shared = std::make_shared<int>(1);
  Fifo<std::shared_ptr<int>> fifo;
  fifo.push_back(shared);
  fifo.push_back(shared);
  EXPECT_EQ(shared.use_count(), 3);
  fifo.pop_front();
  EXPECT_EQ(shared.use_count(), 2);
  fifo.clear();
  EXPECT_EQ(shared.use_count(), 1);
  EXPECT_TRUE(fifo.empty());
}

}  // namespace
}  // namespace tandem::server
