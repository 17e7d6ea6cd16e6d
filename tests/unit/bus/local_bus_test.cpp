// The in-process bus: order, wildcards, unsubscribing (from outside and from inside a handler),
// subject rules. Delivery is on the bus's own thread, so tests wait for it (bounded, no timing).
#include "kino/bus/local_bus.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace kino::bus {
namespace {

using namespace std::chrono_literals;

template <class F>
bool eventually(F done) {
  const auto end = std::chrono::steady_clock::now() + 5s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

struct Inbox {
  void add(const Message& m) {
    std::lock_guard lock(mu);
    got.push_back(m.subject + "=" + m.data);
  }
  std::vector<std::string> all() {
    std::lock_guard lock(mu);
    return got;
  }
  std::mutex mu;
  std::vector<std::string> got;
};

TEST(LocalBusTest, DeliversInPublishOrderToExactAndWildcardSubscribers) {
  auto bus = makeLocalBus();
  Inbox exact, wild;
  auto a = bus->subscribe("room.1.in", [&](Message m) { exact.add(m); });
  auto b = bus->subscribe("room.>", [&](Message m) { wild.add(m); });
  ASSERT_TRUE(a.ok() && b.ok());
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(bus->publish("room.1.in", std::to_string(i)).ok());
  ASSERT_TRUE(bus->publish("room.2.in", "x").ok());
  ASSERT_TRUE(bus->publish("node.n1", "y").ok());
  ASSERT_TRUE(eventually([&] { return wild.all().size() == 101; }));
  ASSERT_EQ(exact.all().size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(exact.all()[static_cast<std::size_t>(i)], "room.1.in=" + std::to_string(i));
  EXPECT_EQ(wild.all().back(), "room.2.in=x");
}

TEST(LocalBusTest, AfterASubscriptionIsDestroyedItsHandlerIsNotRunningAndNeverRunsAgain) {
  auto bus = makeLocalBus();
  std::atomic<int> running{0}, calls{0};
  auto sub = bus->subscribe("t", [&](Message) {
    ++running;
    std::this_thread::sleep_for(20ms);
    ++calls;
    --running;
  });
  ASSERT_TRUE(sub.ok());
  ASSERT_TRUE(bus->publish("t", "1").ok());
  ASSERT_TRUE(eventually([&] { return running == 1; }));
  sub->reset();
  EXPECT_EQ(running, 0) << "the destructor waited for the running handler";
  const int seen = calls;
  ASSERT_TRUE(bus->publish("t", "2").ok());
  Inbox after;
  auto probe = bus->subscribe("t", [&](Message m) { after.add(m); });
  ASSERT_TRUE(bus->publish("t", "3").ok());
  ASSERT_TRUE(eventually([&] { return after.all().size() == 1; }));
  EXPECT_EQ(calls, seen);
}

TEST(LocalBusTest, AHandlerMayEndItsOwnSubscription) {
  auto bus = makeLocalBus();
  std::unique_ptr<Subscription> self;
  std::atomic<int> calls{0};
  auto sub = bus->subscribe("once", [&](Message) {
    ++calls;
    self.reset();
  });
  self = std::move(sub).value();
  ASSERT_TRUE(bus->publish("once", "a").ok());
  ASSERT_TRUE(bus->publish("once", "b").ok());
  Inbox probe;
  auto p = bus->subscribe("once", [&](Message m) { probe.add(m); });
  ASSERT_TRUE(bus->publish("once", "c").ok());
  ASSERT_TRUE(eventually([&] { return probe.all().size() == 1; }));
  EXPECT_EQ(calls, 1);
}

TEST(LocalBusTest, SubjectsAreCheckedAndDurableOnesLiveUnderDurable) {
  auto bus = makeLocalBus();
  for (const char* bad : {"", ".a", "a.", "a..b", "a b", "a.*", "room.>"}) {
    EXPECT_FALSE(bus->publish(bad, "x").ok()) << bad;
  }
  EXPECT_TRUE(bus->subscribe("room.>", [](Message) {}).ok());
  EXPECT_FALSE(bus->subscribe("room.>.x", [](Message) {}).ok());
  EXPECT_FALSE(bus->publishDurable("room.1", "x", 1s).ok());
  Inbox inbox;
  auto d = bus->subscribeDurable("durable.sessions", "n1", [&](Message m) { inbox.add(m); });
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(bus->publishDurable("durable.sessions", "revoked", 1s).ok());
  ASSERT_TRUE(eventually([&] { return inbox.all().size() == 1; }));
  EXPECT_TRUE(validSubject("node.kino-1_a.out"));
  EXPECT_TRUE(validSubject("room.>", true));
  EXPECT_FALSE(validSubject(">", true));
}

}  // namespace
}  // namespace kino::bus
