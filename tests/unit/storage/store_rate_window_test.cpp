// The rate limit counted in the store (what the nodes of a cluster use), over in-memory SQLite and a
// fake clock: the same answers as the in-memory RateLimiter, shared by every limiter on the store.
#include "kino/storage/store_rate_window.hpp"

#include <gtest/gtest.h>

#include "fakes/fake_clock.hpp"
#include "kino/storage/sqlite_store.hpp"

namespace kino::storage {
namespace {

using namespace std::chrono_literals;

class StoreRateWindowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(openSqliteStore(":memory:")).value();
    ASSERT_TRUE(store_->migrate().ok());
  }
  StoreRateWindow limiter(std::size_t max_events, std::chrono::seconds window,
                          std::string name = "login_ip") {
    return StoreRateWindow(store_->rateEvents(), clock_, std::move(name), max_events, window);
  }
  testing::FakeClock clock_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreRateWindowTest, AllowsUpToTheLimitThenRefusesWithRetryAfter) {
  auto l = limiter(3, 60s);
  EXPECT_TRUE(l.consume("203.0.113.7").allowed);
  clock_.advance(10s);
  EXPECT_TRUE(l.consume("203.0.113.7").allowed);
  EXPECT_TRUE(l.consume("203.0.113.7").allowed);
  auto d = l.consume("203.0.113.7");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after, 50s) << "the first event leaves the window 60 s after it happened";
  EXPECT_TRUE(l.consume("198.51.100.1").allowed);
}

TEST_F(StoreRateWindowTest, TheWindowSlidesAndRetryAfterIsNeverZero) {
  auto l = limiter(2, 10s);
  l.record("k");
  clock_.advance(5s);
  l.record("k");
  EXPECT_FALSE(l.check("k").allowed);
  clock_.advance(4999ms);
  EXPECT_EQ(l.check("k").retry_after, 1s);
  clock_.advance(1ms);
  EXPECT_TRUE(l.check("k").allowed);
  EXPECT_TRUE(l.consume("k").allowed);
  auto d = l.check("k");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after, 5s) << "now the second event is the one to leave";
}

TEST_F(StoreRateWindowTest, ResetForgetsTheKey) {
  auto l = limiter(1, 10s);
  l.record("anna");
  EXPECT_FALSE(l.check("anna").allowed);
  l.reset("anna");
  EXPECT_TRUE(l.check("anna").allowed);
}

// Two nodes are two limiter objects over one store: an attempt on either counts for both.
TEST_F(StoreRateWindowTest, TwoNodesShareTheCount) {
  auto node_a = limiter(3, 60s);
  auto node_b = limiter(3, 60s);
  EXPECT_TRUE(node_a.consume("203.0.113.7").allowed);
  EXPECT_TRUE(node_b.consume("203.0.113.7").allowed);
  EXPECT_TRUE(node_a.consume("203.0.113.7").allowed);
  EXPECT_FALSE(node_b.consume("203.0.113.7").allowed);
  EXPECT_FALSE(node_a.check("203.0.113.7").allowed);
  node_b.reset("203.0.113.7");
  EXPECT_TRUE(node_a.check("203.0.113.7").allowed);
}

TEST_F(StoreRateWindowTest, LimitsWithOtherNamesCountApart) {
  auto by_ip = limiter(1, 60s, "login_ip");
  auto registrations = limiter(1, 60s, "register_ip");
  EXPECT_TRUE(by_ip.consume("203.0.113.7").allowed);
  EXPECT_TRUE(registrations.consume("203.0.113.7").allowed);
  EXPECT_FALSE(by_ip.check("203.0.113.7").allowed);
}

TEST_F(StoreRateWindowTest, AVeryLongKeyIsLimitedLikeAnyOther) {
  auto l = limiter(1, 60s, "login_account");
  const std::string long_name(5000, 'x');
  EXPECT_TRUE(l.consume(long_name).allowed);
  EXPECT_FALSE(l.consume(long_name).allowed);
  EXPECT_TRUE(l.consume(long_name + "y").allowed) << "another long key is another key";
}

// A store that cannot count does not lock everyone out: the operation it guards needs the store
// too and fails on its own.
TEST_F(StoreRateWindowTest, AStoreThatCannotCountAllows) {
  auto broken = std::move(openSqliteStore(":memory:")).value();  // never migrated: no table
  StoreRateWindow unready(broken->rateEvents(), clock_, "login_ip", 1, 60s);
  EXPECT_TRUE(unready.consume("k").allowed);
  EXPECT_TRUE(unready.consume("k").allowed);
}

}  // namespace
}  // namespace kino::storage
