// Fifo: a first-in first-out queue that, unlike std::deque (which allocates its map and a
// first block when constructed), holds no memory while empty; a server keeps two per loaded
// document, mostly empty. A vector whose consumed front is dropped once the queue empties or
// the dead part outgrows the live one, so each element is moved O(1) times on average.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace tandem::server {

template <class T>
class Fifo {
 public:
  bool empty() const { return head_ == items_.size(); }
  size_t size() const { return items_.size() - head_; }
  T& front() { return items_[head_]; }
  T& back() { return items_.back(); }
  void push_back(T value) { items_.push_back(std::move(value)); }
  void pop_front() {
    items_[head_] = T();  // release what it holds now
    if (++head_ == items_.size()) {
      clear();
    } else if (head_ > 32 && head_ * 2 > items_.size()) {
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }
  void clear() {
    std::vector<T>().swap(items_);
    head_ = 0;
  }
  auto begin() { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
  auto end() { return items_.end(); }

 private:
  std::vector<T> items_;
  size_t head_ = 0;
};

}  // namespace tandem::server
