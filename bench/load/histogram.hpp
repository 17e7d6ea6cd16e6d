#pragma once
// Latencies in microseconds, counted per bucket (exact below 128 µs, then 128 buckets per power of
// two, under 1 % wide), so hours of samples from thousands of receivers fit in a few kilobytes.

#include <algorithm>
#include <bit>
#include <cstdint>
#include <vector>

namespace kino::bench {

class Histogram {
 public:
  void add(std::int64_t us) {
    us = std::max<std::int64_t>(us, 0);
    const std::size_t b = bucketOf(us);
    if (b >= counts_.size()) counts_.resize(b + 1, 0);
    ++counts_[b];
    ++n_;
    max_ = std::max(max_, us);
  }
  std::int64_t count() const { return n_; }
  std::int64_t max() const { return max_; }
  // The smallest value at or above which lies the fraction `p` (0..1) of the samples (0 if none).
  std::int64_t percentile(double p) const {
    if (n_ == 0) return 0;
    const auto rank = static_cast<std::int64_t>(p * static_cast<double>(n_ - 1)) + 1;
    std::int64_t seen = 0;
    for (std::size_t b = 0; b < counts_.size(); ++b) {
      seen += counts_[b];
      if (seen >= rank) return std::min(valueOf(b), max_);
    }
    return max_;
  }

 private:
  static constexpr int kLinear = 128;  // exact below this; 128 sub-buckets per octave above
  static std::size_t bucketOf(std::int64_t us) {
    if (us < kLinear) return static_cast<std::size_t>(us);
    const int octave =
        static_cast<int>(std::bit_width(static_cast<std::uint64_t>(us))) - 1;  // >= 7
    const auto mantissa = static_cast<std::size_t>((us >> (octave - 7)) & (kLinear - 1));
    return static_cast<std::size_t>(kLinear + (octave - 7) * kLinear) + mantissa;
  }
  // The upper end of bucket `b` (so percentiles never understate).
  static std::int64_t valueOf(std::size_t b) {
    if (b < static_cast<std::size_t>(kLinear)) return static_cast<std::int64_t>(b);
    const auto octave = static_cast<int>((b - kLinear) / kLinear) + 7;
    const auto mantissa = static_cast<std::int64_t>((b - kLinear) % kLinear);
    return ((kLinear + mantissa + 1) << (octave - 7)) - 1;
  }

  std::vector<std::int64_t> counts_;
  std::int64_t n_ = 0;
  std::int64_t max_ = 0;
};

}  // namespace kino::bench
