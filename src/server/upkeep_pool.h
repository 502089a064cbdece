// UpkeepPool: the threads for work no client is waiting on — compacting a document's log,
// automatic versions, giving freed heap back, the document list's timestamps. They run at a
// lower CPU priority (a higher nice value) than the I/O and storage writer threads, so that
// where they share a core with serving (a small machine, a pinned server) they take what
// serving leaves instead of delaying an edit's broadcast or a client's sync. Linux's scheduler
// still gives them a share (a nice-10 thread gets about a tenth of a core a nice-0 thread
// wants), so a busy server keeps compacting.
// Thread-safe: post work from any thread; join() and the destructor wait for what is queued.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>
#include <thread>
#include <vector>

namespace tandem::server {

class UpkeepPool {
 public:
  using executor_type = boost::asio::io_context::executor_type;

  //! Starts `threads` threads (at least one) whose niceness is the caller's plus
  //! `nice_increment` (at most 19, the weakest; 0: the caller's).
  UpkeepPool(unsigned threads, int nice_increment);
  ~UpkeepPool();
  UpkeepPool(const UpkeepPool&) = delete;
  UpkeepPool& operator=(const UpkeepPool&) = delete;

  //! Where to post upkeep work (boost::asio::post(pool.get_executor(), fn)).
  executor_type get_executor() noexcept { return ioc_.get_executor(); }

  //! Runs what is queued (and what that work posts), then stops the threads. Idempotent.
  void join();

 private:
  boost::asio::io_context ioc_;
  std::optional<boost::asio::executor_work_guard<executor_type>> work_;
  std::vector<std::thread> threads_;
};

}  // namespace tandem::server
