// The load generator's one clock: steady time in nanoseconds. Every client lives in one
// process, so a send time and a receive time taken here are directly comparable.
#pragma once

#include <chrono>
#include <cstdint>

namespace tandem::load {

inline int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

inline double seconds_between(int64_t from_ns, int64_t to_ns) {
  return static_cast<double>(to_ns - from_ns) / 1e9;
}

}  // namespace tandem::load
