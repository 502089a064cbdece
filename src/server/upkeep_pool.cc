#include "server/upkeep_pool.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace tandem::server {

namespace {

//! Raises the calling thread's niceness by `increment` (on Linux, nice is per thread; a new
//! thread starts with its creator's).
void lower_own_priority(int increment) {
  if (increment <= 0) return;
  const id_t self = static_cast<id_t>(gettid());
  errno = 0;
  const int now = getpriority(PRIO_PROCESS, self);
  if (errno != 0) return spdlog::warn("upkeep thread: could not read its priority: {}", std::strerror(errno));
  const int wanted = std::min(now + increment, 19);
  if (setpriority(PRIO_PROCESS, self, wanted) != 0) {
    spdlog::warn("upkeep thread: could not set nice {}: {}", wanted, std::strerror(errno));
  }
}

}  // namespace

UpkeepPool::UpkeepPool(unsigned threads, int nice_increment) : work_(ioc_.get_executor()) {
  threads_.reserve(std::max(1u, threads));
  for (unsigned i = 0; i < std::max(1u, threads); ++i) {
    threads_.emplace_back([this, nice_increment] {
      lower_own_priority(nice_increment);
      ioc_.run();
    });
  }
}

UpkeepPool::~UpkeepPool() { join(); }

void UpkeepPool::join() {
  work_.reset();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

}  // namespace tandem::server
