// LatencyHistogram: a log-linear histogram of durations in nanoseconds (64 buckets per power
// of two, so a percentile is within 1.6% of the true value), with the exact maximum. Fixed
// size, no allocation after construction. Not thread-safe: owned by the load run's thread.
#pragma once

#include <array>
#include <cstdint>

namespace tandem::load {

class LatencyHistogram {
 public:
  void record(int64_t ns);
  void reset();

  uint64_t count() const { return count_; }
  int64_t max_ns() const { return max_; }
  //! The value at quantile `q` (0..1) as the middle of its bucket; 0 when empty.
  int64_t percentile_ns(double q) const;

 private:
  static constexpr int kSubBits = 6;                 // 64 sub-buckets per power of two
  static constexpr int kSub = 1 << kSubBits;
  static constexpr int kMaxExponent = 44;            // up to 2^44 ns (about 4.9 hours)
  static constexpr int kBuckets = (kMaxExponent + 2) * kSub;

  static int bucket_of(uint64_t v);
  static uint64_t bucket_low(int index);

  std::array<uint64_t, kBuckets> counts_{};
  uint64_t count_ = 0;
  int64_t max_ = 0;
};

}  // namespace tandem::load
