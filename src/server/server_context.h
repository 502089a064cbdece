// ServerContext: what every part of a running tandemd shares — its settings, metrics, storage,
// the I/O threads (each an io_context run by one thread), the pool for blocking work clients
// wait on, and the lower-priority pool for upkeep.
// Documents are placed on I/O threads by a hash of their id: a document, its room and the
// WebSocket sessions of its clients live on that one thread, so the edit path takes no lock.
// Owned by Server; thread-safe (immutable after start, atomics, and the mutex of IpCounter).
#pragma once

#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <memory>
#include <memory_resource>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "server/config.h"
#include "server/metrics.h"
#include "server/upkeep_pool.h"
#include "storage/storage.h"

namespace tandem::server {

class RoomRegistry;

//! Open connections per client IP, to enforce max_connections_per_ip. Thread-safe.
class IpCounter {
 public:
  explicit IpCounter(size_t max) : max_(max) {}
  //! Counts one more connection from `ip`; false (and nothing counted) if at the limit.
  bool acquire(const std::string& ip);
  void release(const std::string& ip);

 private:
  const size_t max_;
  std::mutex mu_;
  std::unordered_map<std::string, size_t> open_;  // guarded by mu_
};

//! One connection counted by an IpCounter, released when destroyed (movable: an upgraded
//! connection takes its slot along).
class IpSlot {
 public:
  IpSlot() = default;
  IpSlot(IpCounter* counter, std::string ip) : counter_(counter), ip_(std::move(ip)) {}
  IpSlot(IpSlot&& o) noexcept : counter_(std::exchange(o.counter_, nullptr)), ip_(std::move(o.ip_)) {}
  IpSlot& operator=(IpSlot&& o) noexcept {
    if (this != &o) {
      reset();
      counter_ = std::exchange(o.counter_, nullptr);
      ip_ = std::move(o.ip_);
    }
    return *this;
  }
  IpSlot(const IpSlot&) = delete;
  IpSlot& operator=(const IpSlot&) = delete;
  ~IpSlot() { reset(); }
  void reset() {
    if (counter_) counter_->release(ip_);
    counter_ = nullptr;
  }
  const std::string& ip() const { return ip_; }

 private:
  IpCounter* counter_ = nullptr;
  std::string ip_;
};

//! A timer bound to an I/O thread's io_context executor: 72 bytes instead of steady_timer's 120
//! (which holds a type-erased any_io_executor). Every connection has two, every room two.
using IoTimer = boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                                  boost::asio::wait_traits<std::chrono::steady_clock>,
                                                  boost::asio::io_context::executor_type>;

//! An I/O thread's io_context and the rooms of the documents that live on it.
struct IoThread {
  boost::asio::io_context ioc{1};
  std::unique_ptr<RoomRegistry> rooms;  // touched only on this thread
  //! Where this thread's WebSocket sessions read into (an idle connection has no buffer).
  std::vector<uint8_t> read_buffer = std::vector<uint8_t>(64 * 1024);
};

struct ServerContext {
  ServerConfig config;
  Metrics metrics;
  storage::Storage* storage = nullptr;
  //! Where hibernating rooms keep their encodings (Room): packed together in the pool's
  //! chunks instead of scattered over the pages their documents' items freed, which the
  //! allocator could then not give back. Declared before `threads`: rooms release into it.
  std::pmr::synchronized_pool_resource hibernated_memory;
  //! Declared before `threads`: handlers still queued when an io_context is destroyed release
  //! their sessions, which give back their IP slots.
  std::unique_ptr<IpCounter> ips;
  std::vector<std::unique_ptr<IoThread>> threads;
  //! Blocking work a client waits on (storage reads, exports, imports) off the I/O threads.
  std::unique_ptr<boost::asio::thread_pool> blocking;
  //! Work no client waits on (compaction, automatic versions, heap trimming), at a lower CPU
  //! priority than serving.
  std::unique_ptr<UpkeepPool> upkeep;
  std::atomic<uint64_t> next_connection_id{1};
  //! Set once shutdown starts: no new documents, connections or edits.
  std::atomic<bool> stopping{false};

  //! The I/O thread a document lives on.
  IoThread& thread_of(const std::string& doc_id);
};

//! Milliseconds since the Unix epoch, now.
int64_t now_ms();

}  // namespace tandem::server
