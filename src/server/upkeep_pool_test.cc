#include "server/upkeep_pool.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <mutex>
#include <set>

namespace tandem::server {
namespace {

//! The calling thread's niceness.
int own_nice() {
  errno = 0;
  return getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
}

TEST(UpkeepPool, RunsItsWorkAtTheNicenessAskedForAndLeavesTheCallersAlone) {
  const int caller = own_nice();
  if (caller >= 19) GTEST_SKIP() << "already at the weakest priority";
  std::mutex mu;
  std::set<int> seen;
  std::set<pid_t> threads;
  {
    UpkeepPool pool(2, 5);
    for (int i = 0; i < 50; ++i) {
      boost::asio::post(pool.get_executor(), [&] {
        std::lock_guard lock(mu);
        seen.insert(own_nice());
        threads.insert(gettid());
      });
    }
    pool.join();
  }
  EXPECT_EQ(seen, std::set<int>{std::min(caller + 5, 19)});
  EXPECT_FALSE(threads.count(gettid()));
  EXPECT_EQ(own_nice(), caller);
}

TEST(UpkeepPool, JoinRunsWhatIsQueuedAndWhatThatWorkPosts) {
  std::atomic<int> ran{0};
  UpkeepPool pool(1, 0);
  for (int i = 0; i < 100; ++i) {
    boost::asio::post(pool.get_executor(), [&] {
      ran.fetch_add(1);
      boost::asio::post(pool.get_executor(), [&] { ran.fetch_add(1); });
    });
  }
  pool.join();
  EXPECT_EQ(ran.load(), 200);
  pool.join();  // idempotent
}

}  // namespace
}  // namespace tandem::server
