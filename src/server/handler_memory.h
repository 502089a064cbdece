// HandlerMemory: room inside a long-lived object for one of its asynchronous operations at a
// time, so that an operation that stays pending for hours (an idle connection waiting for data
// or for its keep-alive timer) is part of that object instead of a separate heap block.
//
// Asio otherwise takes an operation's memory from its per-thread recycling cache, which hands
// out whatever block was freed last: an idle connection's wait ends up holding a block sized
// for an earlier, larger operation (a 1 KB handshake write for a 150-byte wait), and placed
// among the short-lived blocks of whatever ran before, where it keeps pages the allocator
// could otherwise return. This is the pattern of Asio's "allocation" example: bind a handler
// to the memory with bind_memory(). An operation larger than the room (kBytes, sized for the
// operation it serves), or one started while the room is taken, uses the heap as usual.
//
// Not thread-safe: used on its owner's thread. The owner must outlive the operations (their
// handlers hold it, as a session's `shared_from_this` does; Asio frees an operation's memory
// before it runs or destroys the handler).
#pragma once

#include <boost/asio/bind_allocator.hpp>
#include <cstddef>
#include <new>
#include <utility>

namespace tandem::server {

template <size_t kBytes>
class HandlerMemory {
 public:
  HandlerMemory() = default;
  HandlerMemory(const HandlerMemory&) = delete;
  HandlerMemory& operator=(const HandlerMemory&) = delete;

  void* allocate(size_t size) {
    if (!in_use_ && size <= kBytes) {
      in_use_ = true;
      return storage_;
    }
    return ::operator new(size);
  }
  //! Whether an operation holds the room now.
  bool in_use() const { return in_use_; }

  void deallocate(void* p) {
    if (p == storage_) {
      in_use_ = false;
    } else {
      ::operator delete(p);
    }
  }

 private:
  alignas(std::max_align_t) unsigned char storage_[kBytes];
  bool in_use_ = false;
};

//! The allocator Asio sees for a handler bound to a HandlerMemory.
template <typename T, size_t kBytes>
class HandlerAllocator {
 public:
  using value_type = T;
  template <typename U>
  struct rebind {
    using other = HandlerAllocator<U, kBytes>;
  };

  explicit HandlerAllocator(HandlerMemory<kBytes>& memory) noexcept : memory_(&memory) {}
  template <typename U>
  HandlerAllocator(const HandlerAllocator<U, kBytes>& other) noexcept : memory_(other.memory_) {}

  T* allocate(size_t n) { return static_cast<T*>(memory_->allocate(sizeof(T) * n)); }
  void deallocate(T* p, size_t) noexcept { memory_->deallocate(p); }

  template <typename U>
  bool operator==(const HandlerAllocator<U, kBytes>& other) const noexcept {
    return memory_ == other.memory_;
  }

 private:
  template <typename, size_t>
  friend class HandlerAllocator;
  HandlerMemory<kBytes>* memory_;
};

//! A handler whose operation's memory is `memory` when it fits.
template <size_t kBytes, typename Handler>
auto bind_memory(HandlerMemory<kBytes>& memory, Handler&& handler) {
  return boost::asio::bind_allocator(HandlerAllocator<char, kBytes>(memory),
                                     std::forward<Handler>(handler));
}

}  // namespace tandem::server
