#include "crdt/struct_list.h"

#include <cassert>

namespace tandem::crdt {

namespace {
// Index of the last of the n > 0 elements at `first`, ascending by `clock_of`, whose clock is at
// or before `clock` (the first one's must be). A bisection whose step the compiler makes a
// conditional move: which half holds a clock is unpredictable, and mispredicted branches were
// much of find_index.
template <class T, class ClockOf>
size_t last_at_or_before(const T* first, size_t n, Clock clock, ClockOf clock_of) {
  const T* base = first;
  while (n > 1) {
    const size_t half = n / 2;
    base = clock_of(base[half]) <= clock ? base + half : base;
    n -= half;
  }
  return static_cast<size_t>(base - first);
}
}  // namespace

void StructList::insert(size_t i, Item* item) {
  if (i == size_) {
    push_back(item);
    return;
  }
  size_t b = block_of(i);
  Block& block = blocks_[b];
  block.insert(block.begin() + static_cast<ptrdiff_t>(i - starts_[b]), Entry{item->id.clock, item});
  first_clock_[b] = block.front().clock;
  ++size_;
  if (block.size() >= 2 * kBlock) {
    // Split a full block in halves.
    Block right(block.begin() + kBlock, block.end());
    block.resize(kBlock);
    Clock right_first = right.front().clock;
    blocks_.insert(blocks_.begin() + static_cast<ptrdiff_t>(b) + 1, std::move(right));
    starts_.insert(starts_.begin() + static_cast<ptrdiff_t>(b) + 1, 0);
    first_clock_.insert(first_clock_.begin() + static_cast<ptrdiff_t>(b) + 1, right_first);
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
    Block& block = blocks_[b];
    size_t k = std::min(count, block.size() - offset);
    block.erase(block.begin() + static_cast<ptrdiff_t>(offset),
                block.begin() + static_cast<ptrdiff_t>(offset + k));
    count -= k;
    if (block.empty()) {
      blocks_.erase(blocks_.begin() + static_cast<ptrdiff_t>(b));
      starts_.erase(starts_.begin() + static_cast<ptrdiff_t>(b));
      first_clock_.erase(first_clock_.begin() + static_cast<ptrdiff_t>(b));
    } else {
      first_clock_[b] = block.front().clock;
      ++b;
    }
    offset = 0;
  }
  renumber_from(first_block);
  // cache_ may now name another block, or none: it is only a hint, checked before use.
}

size_t StructList::find_block(Clock clock) const {
  auto holds = [&](size_t b) {
    return first_clock_[b] <= clock && (b + 1 == blocks_.size() || clock < first_clock_[b + 1]);
  };
  // Lookups cluster: try the block used last, and the last block (recent structs).
  if (cache_ < blocks_.size() && holds(cache_)) return cache_;
  if (holds(blocks_.size() - 1)) return blocks_.size() - 1;
  // The last block whose first struct starts at or before `clock`.
  assert(first_clock_.front() <= clock && "find_index: clock not in store");
  return last_at_or_before(first_clock_.data(), first_clock_.size(), clock, [](Clock c) { return c; });
}

size_t StructList::find_index(Clock clock) const {
  // Lookups cluster: an update names the same few structs (its origin, its right origin, the
  // newest struct) when it is validated, integrated and merged. Try the newest struct and the
  // places found last before searching.
  if (size_ == 0) return 0;
  const Item* last = blocks_.back().back().item;
  if (last->id.clock <= clock && clock < last->id.clock + last->length) return size_ - 1;
  for (const Place& h : hints_) {
    if (h.block < blocks_.size() && h.offset < blocks_[h.block].size() && covers(h, clock)) {
      return starts_[h.block] + h.offset;
    }
  }
  Place found = find_place(clock);
  hints_[next_hint_] = found;
  next_hint_ = (next_hint_ + 1) % hints_.size();
  cache_ = found.block;
  return starts_[found.block] + found.offset;
}

size_t StructList::find_index_near(Clock clock, size_t near) const {
  assert(near < size_ && "find_index_near: position out of range");
  // The struct containing `clock` is the last one starting at or before it (the structs
  // cover their clocks without gaps). Gallop from `near` to bracket it, then bisect;
  // invariant: struct lo starts at or before `clock`, struct hi (if any) after it.
  auto at_or_before = [&](size_t i) { return slot(i).clock <= clock; };
  size_t lo, hi;
  if (at_or_before(near)) {
    lo = near;
    hi = near + 1;
    for (size_t step = 1; hi < size_ && at_or_before(hi); step *= 2) {
      lo = hi;
      hi = lo + step < size_ ? lo + step : size_;
    }
  } else {
    hi = near;
    lo = near > 0 ? near - 1 : 0;
    for (size_t step = 1; lo > 0 && !at_or_before(lo); step *= 2) {
      hi = lo;
      lo = hi > step ? hi - step : 0;
    }
    assert(at_or_before(lo) && "find_index_near: clock not in store");
  }
  while (hi - lo > 1) {
    const size_t mid = lo + (hi - lo) / 2;
    if (at_or_before(mid)) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return lo;
}

bool StructList::covers(Place p, Clock clock) const {
  // The structs of a list cover its clocks without gaps: an entry ends where the next one
  // starts. Only the last entry's end needs its item.
  const Block& block = blocks_[p.block];
  if (block[p.offset].clock > clock) return false;
  if (p.offset + 1 < block.size()) return clock < block[p.offset + 1].clock;
  if (p.block + 1 < blocks_.size()) return clock < first_clock_[p.block + 1];
  const Item* last = block[p.offset].item;
  return clock < last->id.clock + last->length;
}

StructList::Place StructList::find_place(Clock clock) const {
  size_t b = find_block(clock);
  const Block& block = blocks_[b];
  // The structs of a block cover its clocks without gaps: the last one starting at or before
  // `clock` contains it.
  assert(block.front().clock <= clock && "find_index: clock not in store");
  const size_t offset = last_at_or_before(block.data(), block.size(), clock, [](const Entry& e) { return e.clock; });
  assert(clock < block[offset].clock + block[offset].item->length &&
         "find_index: clock not in store");
  return {b, offset};
}

void StructList::replace(size_t i, Item* item) {
  size_t b = block_of(i);
  Entry& e = blocks_[b][i - starts_[b]];
  assert(e.clock == item->id.clock && "StructList::replace: another clock");
  e.item = item;
}

}  // namespace tandem::crdt
