#include "kino/realtime/frame_budget.hpp"

#include <gtest/gtest.h>

namespace kino::realtime {
namespace {

TEST(FrameBudgetTest, ABurstUpToTheBudgetThenRefillsAtItsRate) {
  FrameBudget b(10, 10'000);  // 10 per 10 s
  const std::int64_t t0 = 1'000'000;
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(b.take(t0)) << i;
  EXPECT_FALSE(b.take(t0));
  EXPECT_EQ(b.retryAfterMs(), 1001);  // one token per second
  EXPECT_FALSE(b.take(t0 + 999));
  EXPECT_TRUE(b.take(t0 + 1000));
  EXPECT_FALSE(b.take(t0 + 1000));
  EXPECT_TRUE(b.take(t0 + 60'000));  // never more than the budget banked
  int more = 0;
  while (b.take(t0 + 60'000)) ++more;
  EXPECT_EQ(more, 9);
}

TEST(FrameBudgetTest, AClockThatStepsBackDoesNotMintTokens) {
  FrameBudget b(1, 1000);
  EXPECT_TRUE(b.take(5000));
  EXPECT_FALSE(b.take(4000));
  EXPECT_FALSE(b.take(4500));
}

}  // namespace
}  // namespace kino::realtime
