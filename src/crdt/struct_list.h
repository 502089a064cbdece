// StructList: the structs of one client in clock order, as the StructStore keeps them (yjs
// keeps a JS array). Splitting and merging structs inserts and erases in the middle of the
// list; with one flat array that moves the whole tail each time, which for a long-edited
// document (automerge-paper: ~100k structs of one client) was about half of all the time spent
// applying or making edits. So the list is cut into blocks of at most 2 * kBlock items, and an
// insert or erase moves only within one block (plus the small index of block starts). Each
// entry keeps its struct's clock beside the pointer, so that finding the struct of a clock
// searches contiguous memory instead of visiting items scattered over the heap.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <vector>

#include "crdt/item.h"

namespace tandem::crdt {

class StructList {
 public:
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Item* operator[](size_t i) const { return slot(i).item; }
  Item* front() const { return blocks_.front().front().item; }
  Item* back() const { return blocks_.back().back().item; }
  //! Puts `item` in place of the struct at position i. REQUIRES: same id.clock.
  void replace(size_t i, Item* item);

  void push_back(Item* item) {
    if (blocks_.empty() || blocks_.back().size() >= kBlock) {
      starts_.push_back(size_);
      first_clock_.push_back(item->id.clock);
      // The first block grows as a vector does (most lists are short); later ones are
      // reserved whole.
      if (!blocks_.empty()) {
        blocks_.emplace_back().reserve(kBlock);
      } else {
        blocks_.emplace_back();
      }
    }
    blocks_.back().push_back(Entry{item->id.clock, item});
    ++size_;
  }
  //! Inserts `item` before position `i` (i <= size()).
  void insert(size_t i, Item* item);
  //! Erases positions [first, last).
  void erase(size_t first, size_t last);

  //! Calls f(item) for the items from position `i` to the end, block by block. Items split off
  //! later live elsewhere in memory than their neighbours in the list, so a long walk (encoding
  //! a whole document) waits on memory: the items a few steps ahead are prefetched.
  template <class F>
  void for_each_from(size_t i, F&& f) const {
    if (i >= size_) return;
    constexpr size_t kAhead = 8;
    for (size_t b = block_of(i), o = i - starts_[b]; b < blocks_.size(); ++b, o = 0) {
      const Block& block = blocks_[b];
      for (size_t k = o; k < block.size(); ++k) {
        if (k + kAhead < block.size()) {
          const char* ahead = reinterpret_cast<const char*>(block[k + kAhead].item);
          __builtin_prefetch(ahead);
          __builtin_prefetch(ahead + 64);
          __builtin_prefetch(ahead + 128);
        }
        f(block[k].item);
      }
    }
  }

  //! Index of the struct containing `clock` (yjs findIndexSS). REQUIRES: a struct contains it.
  size_t find_index(Clock clock) const;
  //! The same, searching outwards from position `near` (< size()): cheaper than find_index
  //! when the struct is close to it, as when a delete set's sorted ranges are walked in order.
  size_t find_index_near(Clock clock, size_t near) const;
  //! find_index for one of `ranges` clock ranges walked in order (a delete set's ranges of
  //! this client), `near` being where the previous one was found (none for the first). A few
  //! ranges are served by find_index's remembered places; for many, searching from the
  //! previous one is cheaper.
  size_t find_range_index(Clock clock, size_t ranges, std::optional<size_t> near) const {
    if (!near || ranges <= hints_.size()) return find_index(clock);
    return find_index_near(clock, std::min(*near, size_ - 1));
  }

  class const_iterator {
   public:
    const_iterator(const StructList* l, size_t i) : l_(l), i_(i) {}
    Item* operator*() const { return (*l_)[i_]; }
    const_iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator!=(const const_iterator& o) const { return i_ != o.i_; }

   private:
    const StructList* l_;
    size_t i_;
  };
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size_}; }

 private:
  static constexpr size_t kBlock = 512;

  //! A struct and its id.clock (which never changes while the struct is in a list).
  struct Entry {
    Clock clock;
    Item* item;
  };
  using Block = std::vector<Entry>;

  struct Place {
    size_t block = 0, offset = 0;
  };
  // Block and offset of the struct containing `clock`, by search.
  Place find_place(Clock clock) const;
  // Whether the struct at `p` (an existing place) contains `clock`, from the entries' clocks
  // (without reading the items, which are scattered over the heap).
  bool covers(Place p, Clock clock) const;
  // Block holding the struct that contains `clock`.
  size_t find_block(Clock clock) const;
  // Block holding position i; remembers it, as accesses cluster (find, then neighbours).
  size_t block_of(size_t i) const {
    if (cache_ < blocks_.size() && starts_[cache_] <= i &&
        i - starts_[cache_] < blocks_[cache_].size()) {
      return cache_;
    }
    auto it = std::upper_bound(starts_.begin(), starts_.end(), i);
    cache_ = static_cast<size_t>(it - starts_.begin()) - 1;
    return cache_;
  }
  const Entry& slot(size_t i) const {
    size_t b = block_of(i);
    return blocks_[b][i - starts_[b]];
  }
  void renumber_from(size_t b) {
    for (; b < blocks_.size(); ++b)
      starts_[b] = b == 0 ? 0 : starts_[b - 1] + blocks_[b - 1].size();
  }

  std::vector<Block> blocks_;   // none empty
  std::vector<size_t> starts_;  // index of the first item of each block
  //! Clock of the first item of each block (find_index searches it without touching items).
  //! Items in the list never change their id.clock; replace() may only put an item of the
  //! same clock in place of another (StructStore::replace_with_gc).
  std::vector<Clock> first_clock_;
  size_t size_ = 0;
  mutable size_t cache_ = 0;
  //! Where find_index found structs last: tried first, checked before use (an insert or
  //! erase may have moved another struct there).
  mutable std::array<Place, 4> hints_{};
  mutable size_t next_hint_ = 0;
};

}  // namespace tandem::crdt
