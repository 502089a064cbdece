#include "app/load/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace tandem::load {

int LatencyHistogram::bucket_of(uint64_t v) {
  if (v < 2 * kSub) return static_cast<int>(v);
  const int msb = 63 - std::countl_zero(v);
  const int shift = std::min(msb - kSubBits, kMaxExponent);
  const uint64_t sub = std::min<uint64_t>((v >> shift) - kSub, kSub - 1);
  return (shift + 1) * kSub + static_cast<int>(sub);
}

uint64_t LatencyHistogram::bucket_low(int index) {
  if (index < 2 * kSub) return static_cast<uint64_t>(index);
  const int shift = index / kSub - 1;
  return static_cast<uint64_t>(kSub + index % kSub) << shift;
}

void LatencyHistogram::record(int64_t ns) {
  const uint64_t v = ns < 0 ? 0 : static_cast<uint64_t>(ns);
  ++counts_[static_cast<size_t>(bucket_of(v))];
  ++count_;
  max_ = std::max<int64_t>(max_, static_cast<int64_t>(v));
}

void LatencyHistogram::reset() {
  counts_.fill(0);
  count_ = 0;
  max_ = 0;
}

int64_t LatencyHistogram::percentile_ns(double q) const {
  if (count_ == 0) return 0;
  const auto rank = static_cast<uint64_t>(std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(count_)));
  uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += counts_[static_cast<size_t>(i)];
    if (seen >= std::max<uint64_t>(rank, 1)) {
      const uint64_t low = bucket_low(i);
      const uint64_t high = i + 1 < kBuckets ? bucket_low(i + 1) : low + 1;
      return std::min<int64_t>(static_cast<int64_t>((low + high) / 2), max_);
    }
  }
  return max_;
}

}  // namespace tandem::load
