// An expired lease means a dead node only when the store could be reached for a whole ttl since the
// last trouble (a failed or slow lease call): a PostgreSQL failover longer than the ttl must not
// move rooms or drop relayed sockets.
#include "kino/realtime/store_reach.hpp"

#include <gtest/gtest.h>

namespace kino::realtime {
namespace {

using namespace std::chrono_literals;
const common::TimePoint t0 = common::fromUnixMillis(1'000'000);

TEST(StoreReachTest, WithoutTroubleAnExpiryMeansTheHolderIsGone) {
  StoreReach reach(3s);
  EXPECT_TRUE(reach.expiryMeansGone(t0));
  reach.record(t0, 20ms, /*reached=*/true);
  EXPECT_TRUE(reach.expiryMeansGone(t0)) << "a quick answer is no trouble";
  reach.record(t0, 1s, /*reached=*/true);
  EXPECT_TRUE(reach.expiryMeansGone(t0)) << "a third of the ttl is still the renewal period";
}

TEST(StoreReachTest, AfterAFailedCallExpiriesMeanNothingForATtl) {
  StoreReach reach(3s);
  reach.record(t0, 5ms, /*reached=*/false);
  EXPECT_FALSE(reach.expiryMeansGone(t0));
  EXPECT_FALSE(reach.expiryMeansGone(t0 + 2999ms)) << "a live holder may not have renewed yet";
  EXPECT_TRUE(reach.expiryMeansGone(t0 + 3s));
}

TEST(StoreReachTest, ACallThatWaitedThroughAnOutageIsTroubleUntilItReturned) {
  StoreReach reach(3s);
  reach.record(t0 + 6s, 6s, /*reached=*/true);  // retried through a 6-s failover, then answered
  EXPECT_FALSE(reach.expiryMeansGone(t0 + 8s));
  EXPECT_TRUE(reach.expiryMeansGone(t0 + 9s));
  reach.record(t0 + 1s, 5s, /*reached=*/false);  // an older trouble does not shorten the newer
  EXPECT_TRUE(reach.expiryMeansGone(t0 + 9s));
}

}  // namespace
}  // namespace kino::realtime
