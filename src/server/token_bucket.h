// TokenBucket: a rate limit with a burst — `rate` tokens per second accrue up to `burst`;
// each message takes its cost. Not thread-safe: one per connection, on its thread.
#pragma once

#include <algorithm>
#include <chrono>

namespace tandem::server {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;
  TokenBucket(double rate, double burst) : rate_(rate), burst_(burst), tokens_(burst), last_(Clock::now()) {}

  //! Takes `cost` tokens if there are that many; false (nothing taken) otherwise. A rate of 0
  //! means no limit.
  bool take(double cost, Clock::time_point now = Clock::now()) {
    if (rate_ <= 0) return true;
    std::chrono::duration<double> dt = now - last_;
    last_ = now;
    tokens_ = std::min(burst_, tokens_ + dt.count() * rate_);
    if (tokens_ < cost) return false;
    tokens_ -= cost;
    return true;
  }

 private:
  double rate_, burst_, tokens_;
  Clock::time_point last_;
};

}  // namespace tandem::server
