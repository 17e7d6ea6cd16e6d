#include "kino/common/rate_limiter.hpp"

#include <gtest/gtest.h>

#include "fakes/fake_clock.hpp"

namespace kino::common {
namespace {

using namespace std::chrono_literals;

TEST(RateLimiterTest, AllowsUpToTheLimitThenRefusesWithRetryAfter) {
  testing::FakeClock clock;
  RateLimiter limiter(clock, 3, 60s);
  EXPECT_TRUE(limiter.consume("ip").allowed);
  clock.advance(10s);
  EXPECT_TRUE(limiter.consume("ip").allowed);
  EXPECT_TRUE(limiter.consume("ip").allowed);
  auto d = limiter.consume("ip");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after, 50s);  // the first event leaves the window 60 s after it happened
  EXPECT_TRUE(limiter.consume("other").allowed);
}

TEST(RateLimiterTest, WindowSlides) {
  testing::FakeClock clock;
  RateLimiter limiter(clock, 2, 10s);
  limiter.record("k");
  clock.advance(5s);
  limiter.record("k");
  EXPECT_FALSE(limiter.check("k").allowed);
  clock.advance(5s);
  EXPECT_TRUE(limiter.check("k").allowed);
}

TEST(RateLimiterTest, ResetForgetsTheKey) {
  testing::FakeClock clock;
  RateLimiter limiter(clock, 1, 10s);
  limiter.record("k");
  EXPECT_FALSE(limiter.check("k").allowed);
  limiter.reset("k");
  EXPECT_TRUE(limiter.check("k").allowed);
}

TEST(RateLimiterTest, RetryAfterIsNeverZero) {
  testing::FakeClock clock;
  RateLimiter limiter(clock, 1, 10s);
  limiter.record("k");
  clock.advance(9999ms);
  auto d = limiter.check("k");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after, 1s);
}

TEST(RateLimiterTest, KeyCountIsBounded) {
  testing::FakeClock clock;
  RateLimiter limiter(clock, 1, 10s, /*max_keys=*/2);
  limiter.record("a");
  clock.advance(1s);
  limiter.record("b");
  clock.advance(1s);
  limiter.record("c");  // evicts "a", the stalest
  EXPECT_TRUE(limiter.check("a").allowed);
  EXPECT_FALSE(limiter.check("b").allowed);
  EXPECT_FALSE(limiter.check("c").allowed);
}

}  // namespace
}  // namespace kino::common
