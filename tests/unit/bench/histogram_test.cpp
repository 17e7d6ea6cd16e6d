// The load generator's latency histogram (bench/load/histogram.hpp): percentiles within 1 % of the
// samples', never below them.
#include "bench/load/histogram.hpp"

#include <gtest/gtest.h>

namespace kino::bench {
namespace {

TEST(LoadHistogramTest, PercentilesAreExactForSmallValuesAndWithinOnePercentAbove) {
  Histogram h;
  for (std::int64_t us = 1; us <= 100; ++us) h.add(us);
  EXPECT_EQ(h.count(), 100);
  EXPECT_EQ(h.percentile(0.5), 50);
  EXPECT_EQ(h.percentile(0.99), 99);
  EXPECT_EQ(h.max(), 100);

  Histogram wide;
  for (std::int64_t ms = 1; ms <= 1000; ++ms) wide.add(ms * 1000);
  const auto p50 = wide.percentile(0.5);
  EXPECT_GE(p50, 500'000);
  EXPECT_LE(p50, 505'000);
  const auto p99 = wide.percentile(0.99);
  EXPECT_GE(p99, 990'000);
  EXPECT_LE(p99, 1'000'000) << "never above the largest sample";
  EXPECT_EQ(wide.max(), 1'000'000);
}

TEST(LoadHistogramTest, AnEmptyHistogramSaysZero) {
  Histogram h;
  EXPECT_EQ(h.percentile(0.99), 0);
  EXPECT_EQ(h.max(), 0);
}

}  // namespace
}  // namespace kino::bench
