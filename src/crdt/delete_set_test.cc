// DeleteSet::sort_and_merge against a reference that expands every range to its clocks: the
// same merged ranges whatever order the ranges were added in (sorted, two ascending runs as
// a load adds them, or shuffled).
#include "crdt/delete_set.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <vector>

namespace tandem::crdt {
namespace {

std::vector<DeleteRange> reference_merge(const std::vector<DeleteRange>& ranges) {
  std::set<Clock> clocks;
  for (const DeleteRange& r : ranges) {
    for (Clock c = r.clock; c < r.clock + r.len; ++c) clocks.insert(c);
  }
  std::vector<DeleteRange> out;
  for (Clock c : clocks) {
    if (!out.empty() && out.back().clock + out.back().len == c) {
      ++out.back().len;
    } else {
      out.push_back({c, 1});
    }
  }
  return out;
}

std::vector<DeleteRange> merged(const std::vector<DeleteRange>& ranges) {
  DeleteSet ds;
  for (const DeleteRange& r : ranges) ds.add(9, r.clock, r.len);
  ds.sort_and_merge();
  return ds.clients().at(9);
}

std::vector<DeleteRange> random_ranges(std::mt19937& rng, size_t n) {
  std::vector<DeleteRange> out;
  for (size_t k = 0; k < n; ++k) {
    out.push_back({std::uniform_int_distribution<Clock>(0, 300)(rng),
                   std::uniform_int_distribution<uint64_t>(1, 6)(rng)});
  }
  return out;
}

auto by_clock = [](const DeleteRange& a, const DeleteRange& b) { return a.clock < b.clock; };

TEST(DeleteSet, SortAndMergeGivesTheSameRangesWhateverTheOrderTheyWereAddedIn) {
  std::mt19937 rng(20261128);
  for (int round = 0; round < 300; ++round) {
    std::vector<DeleteRange> ranges = random_ranges(rng, 1 + round % 60);
    const auto expected = reference_merge(ranges);
    // Shuffled.
    EXPECT_EQ(merged(ranges), expected) << "round " << round;
    // Sorted.
    std::sort(ranges.begin(), ranges.end(), by_clock);
    EXPECT_EQ(merged(ranges), expected) << "round " << round;
    // Two ascending runs (a load: its deleted items, then its delete set).
    std::vector<DeleteRange> two_runs;
    for (size_t k = 0; k < ranges.size(); k += 2) two_runs.push_back(ranges[k]);
    for (size_t k = 1; k < ranges.size(); k += 2) two_runs.push_back(ranges[k]);
    EXPECT_EQ(merged(two_runs), expected) << "round " << round;
  }
}

TEST(DeleteSet, CoversWholeRangesOnly) {
  DeleteSet ds;
  ds.add(7, 10, 5);  // [10, 15)
  ds.add(7, 15, 3);  // merged: [10, 18)
  ds.add(7, 30, 2);  // [30, 32)
  ds.sort_and_merge();
  EXPECT_TRUE(ds.covers(7, {10, 8}));
  EXPECT_TRUE(ds.covers(7, {12, 3}));
  EXPECT_TRUE(ds.covers(7, {31, 1}));
  EXPECT_FALSE(ds.covers(7, {9, 2}));    // starts before
  EXPECT_FALSE(ds.covers(7, {17, 2}));   // runs past the end
  EXPECT_FALSE(ds.covers(7, {16, 16}));  // spans the gap
  EXPECT_FALSE(ds.covers(8, {10, 1}));   // another client
  EXPECT_TRUE(ds.covers(8, {10, 0}));    // an empty range
  EXPECT_TRUE(ds.contains({7, 17}));
  EXPECT_FALSE(ds.contains({7, 18}));
  EXPECT_FALSE(ds.contains({7, 9}));
}

}  // namespace
}  // namespace tandem::crdt
