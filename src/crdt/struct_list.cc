#include "crdt/struct_list.h"

#include <cassert>

namespace tandem::crdt {

void StructList::insert(size_t i, Item* item) {
  if (i == size_) {
    push_back(item);
    return;
  }
  size_t b = block_of(i);
  std::vector<Item*>& block = blocks_[b];
  block.insert(block.begin() + static_cast<ptrdiff_t>(i - starts_[b]), item);
  ++size_;
  if (block.size() >= 2 * kBlock) {
    // Split a full block in halves.
    std::vector<Item*> right(block.begin() + kBlock, block.end());
    block.resize(kBlock);
    blocks_.insert(blocks_.begin() + static_cast<ptrdiff_t>(b) + 1, std::move(right));
    starts_.insert(starts_.begin() + static_cast<ptrdiff_t>(b) + 1, 0);
  }
  renumber_from(b + 1);
}

void StructList::erase(size_t first, size_t last) {
  if (first >= last) return;
  const size_t first_block = block_of(first);
  size_t b = first_block;
  size_t count = last - first;
  size_t offset = first - starts_[b];
  size_ -= count;
  while (count > 0) {
    std::vector<Item*>& block = blocks_[b];
    size_t k = std::min(count, block.size() - offset);
    block.erase(block.begin() + static_cast<ptrdiff_t>(offset),
                block.begin() + static_cast<ptrdiff_t>(offset + k));
    count -= k;
    if (block.empty()) {
      blocks_.erase(blocks_.begin() + static_cast<ptrdiff_t>(b));
      starts_.erase(starts_.begin() + static_cast<ptrdiff_t>(b));
    } else {
      ++b;
    }
    offset = 0;
  }
  renumber_from(first_block);
  cache_ = 0;
}

size_t StructList::find_block(Clock clock) const {
  auto holds = [&](size_t b) {
    return blocks_[b].front()->id.clock <= clock &&
           (b + 1 == blocks_.size() || clock < blocks_[b + 1].front()->id.clock);
  };
  // Lookups cluster: try the block used last, and the last block (recent structs).
  if (cache_ < blocks_.size() && holds(cache_)) return cache_;
  if (holds(blocks_.size() - 1)) return blocks_.size() - 1;
  // The last block whose first struct starts at or before `clock`.
  auto bit = std::upper_bound(
      blocks_.begin(), blocks_.end(), clock,
      [](Clock c, const std::vector<Item*>& blk) { return c < blk.front()->id.clock; });
  assert(bit != blocks_.begin() && "find_index: clock not in store");
  return static_cast<size_t>(bit - blocks_.begin()) - 1;
}

size_t StructList::find_index(Clock clock) const {
  size_t b = find_block(clock);
  const std::vector<Item*>& block = blocks_[b];
  auto it = std::upper_bound(block.begin(), block.end(), clock,
                             [](Clock c, const Item* s) { return c < s->id.clock; });
  cache_ = b;
  return starts_[b] + static_cast<size_t>(it - block.begin()) - 1;
}

}  // namespace tandem::crdt
