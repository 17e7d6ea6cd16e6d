// The NATS adapter against a real 3-server NATS cluster (tests/lib/nats_cluster.hpp, one per test
// binary run; a test that kills servers has them running again before the next starts): servers
// dying under a subscriber, under durable publishing and under a consumer, all of them going away,
// two nodes, and the errors of a bad configuration.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>

#include "bus/nats/nats_durable.hpp"
#include "kino/bus/nats_bus.hpp"
#include "lib/nats_cluster.hpp"
#include "unit/bus/bus_test_support.hpp"

namespace kino::bus {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::Inbox;
using testing::uniqueToken;

class NatsBusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_.ensureAllRunning();
    p_ = "t" + uniqueToken();
  }
  void TearDown() override { cluster_.ensureAllRunning(); }

  // A bus named `name` on `urls` (default: every server).
  std::unique_ptr<Bus> open(const std::string& name, std::vector<std::string> urls = {}) {
    auto bus =
        openNatsBus({.urls = urls.empty() ? cluster_.urls() : std::move(urls), .node_name = name});
    EXPECT_TRUE(bus.ok()) << bus.error().message;
    return bus.ok() ? std::move(bus).value() : nullptr;
  }

  testlib::NatsCluster& cluster_ = testlib::sharedNatsCluster();
  std::string p_;
};

// The numbers a handler received, in arrival order.
class Numbers {
 public:
  void add(const Message& m) {
    std::lock_guard lock(mu_);
    got_.push_back(std::stoi(m.data));
  }
  std::vector<int> all() {
    std::lock_guard lock(mu_);
    return got_;
  }

 private:
  std::mutex mu_;
  std::vector<int> got_;
};

TEST_F(NatsBusTest, ASubscriberKeepsReceivingAfterTheServerItWasConnectedToIsKilled) {
  const std::string name = "sub-" + uniqueToken();
  auto sub_bus = open(name);
  ASSERT_TRUE(sub_bus);
  const int victim = cluster_.serverOfConnection("kino-" + name);
  ASSERT_GE(victim, 0) << "the monitoring endpoints list the connection";
  std::vector<std::string> others;
  for (int i = 0; i < cluster_.size(); ++i) {
    if (i != victim) others.push_back(cluster_.url(i));
  }
  auto pub_bus = open("pub-" + uniqueToken(), others);
  ASSERT_TRUE(pub_bus);
  EXPECT_EQ(sub_bus->reconnects(), 0u);

  Numbers got;
  std::atomic<bool> probed{false};
  auto sub = sub_bus->subscribe(p_ + ".tick", [&](Message m) {
    if (m.data == "probe") {
      probed = true;
    } else {
      got.add(m);
    }
  });
  ASSERT_TRUE(sub.ok());
  ASSERT_TRUE(eventually([&] {  // the subscription's interest has reached the publisher's server
    EXPECT_TRUE(pub_bus->publish(p_ + ".tick", "probe").ok());
    std::this_thread::sleep_for(5ms);
    return probed.load();
  }));

  // A steady stream, 1 message per 5 ms; the subscriber's server dies at message 100.
  constexpr int kTotal = 400;
  for (int i = 1; i <= kTotal; ++i) {
    ASSERT_TRUE(pub_bus->publish(p_ + ".tick", std::to_string(i)).ok());
    if (i == 100) cluster_.kill(victim);
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_TRUE(eventually([&] {
    const auto all = got.all();
    return !all.empty() && all.back() == kTotal;
  })) << "messages published after the reconnection arrive";
  const auto all = got.all();
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end())) << "in order, none twice";
  EXPECT_EQ(std::set<int>(all.begin(), all.end()).size(), all.size());
  const auto lost = kTotal - static_cast<int>(all.size());
  std::cout << "[ info     ] received " << all.size() << " of " << kTotal << " (" << lost
            << " lost while reconnecting)\n";
  EXPECT_LE(lost, 200) << "the gap is short (at most 1 s of messages)";
  EXPECT_TRUE(sub_bus->healthy());
  EXPECT_EQ(sub_bus->reconnects(), 1u) << "the loss window is known to whoever must repair it";
  EXPECT_EQ(pub_bus->reconnects(), 0u);
  const int now = cluster_.serverOfConnection("kino-" + name);
  EXPECT_GE(now, 0);
  EXPECT_NE(now, victim);
}

TEST_F(NatsBusTest, DurablePublishingSurvivesAKillOfTheStreamLeaderAndLosesNothing) {
  auto bus = open("n-" + uniqueToken());
  ASSERT_TRUE(bus);
  const std::string subject = "durable." + p_ + ".events";
  Numbers got;
  auto sub = bus->subscribeDurable(subject, "reader", [&](Message m) { got.add(m); });
  ASSERT_TRUE(sub.ok()) << sub.error().message;

  // JetStream elects a new stream leader in 4-9 s, twice that when a vote splits: the wait of a
  // publish must cover it.
  constexpr auto kWait = 30s;
  constexpr int kBefore = 20, kTotal = 60;
  for (int i = 1; i <= kBefore; ++i) {
    ASSERT_TRUE(bus->publishDurable(subject, std::to_string(i), kWait).ok());
  }
  int leader = -1;
  ASSERT_TRUE(eventually([&] { return (leader = cluster_.leaderOf("KINO_DURABLE")) >= 0; }));
  cluster_.kill(leader);
  auto slowest = 0ms;
  for (int i = kBefore + 1; i <= kTotal; ++i) {
    const auto start = std::chrono::steady_clock::now();
    auto r = bus->publishDurable(subject, std::to_string(i), kWait);
    ASSERT_TRUE(r.ok()) << "message " << i << ": " << r.error().message;
    slowest = std::max(slowest, std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - start));
  }
  std::cout << "[ info     ] killed stream leader " << cluster_.name(leader)
            << "; the slowest publish took " << slowest.count() << " ms\n";

  ASSERT_TRUE(eventually(
      [&] {
        const auto all = got.all();
        return std::set<int>(all.begin(), all.end()).size() == kTotal;
      },
      45s))
      << "every acknowledged message is delivered";
  const auto all = got.all();
  std::vector<int> first_seen;
  std::set<int> seen;
  for (int n : all) {
    if (seen.insert(n).second) first_seen.push_back(n);
  }
  EXPECT_TRUE(std::is_sorted(first_seen.begin(), first_seen.end())) << "in order";
  EXPECT_EQ(*seen.begin(), 1);
  EXPECT_EQ(*seen.rbegin(), kTotal);
}

TEST_F(NatsBusTest, AConsumerCreatedBeforeAServerDiesStillHasItsCursor) {
  auto bus = open("n-" + uniqueToken());
  ASSERT_TRUE(bus);
  const std::string subject = "durable." + p_ + ".sessions";
  const std::string consumer = "pre-" + uniqueToken();
  {
    auto created = bus->subscribeDurable(subject, consumer, [](Message) {});
    ASSERT_TRUE(created.ok()) << created.error().message;
  }
  int victim = -1;
  ASSERT_TRUE(eventually([&] {
    return (victim = cluster_.leaderOf("KINO_DURABLE", nats::consumerName(consumer, subject))) >= 0;
  }));
  cluster_.kill(victim);
  for (int i = 1; i <= 10; ++i) {
    auto r = bus->publishDurable(subject, std::to_string(i), 30s);
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  Numbers got;
  auto again = bus->subscribeDurable(subject, consumer, [&](Message m) { got.add(m); });
  ASSERT_TRUE(again.ok()) << again.error().message;
  ASSERT_TRUE(eventually([&] { return got.all().size() >= 10; }, 45s))
      << "what was published while the subscriber was away and its consumer's leader died";
  const auto all = got.all();
  EXPECT_EQ(std::vector<int>(all.begin(), all.begin() + 10),
            (std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
}

TEST_F(NatsBusTest, HealthyIsFalseWhileEveryServerIsDownAndTrueOnceOneIsBack) {
  auto bus = open("n-" + uniqueToken());
  ASSERT_TRUE(bus);
  EXPECT_TRUE(bus->healthy());
  for (int i = 0; i < cluster_.size(); ++i) cluster_.kill(i);
  ASSERT_TRUE(eventually([&] { return !bus->healthy(); }));
  auto r = bus->publishDurable("durable." + p_ + ".x", "lost", 300ms);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kUnavailable);
  cluster_.ensureAllRunning();
  ASSERT_TRUE(eventually([&] { return bus->healthy(); }, 15s));
  EXPECT_TRUE(bus->publishDurable("durable." + p_ + ".x", "kept", 30s).ok());
}

TEST_F(NatsBusTest, TwoNodesSeeEachOthersMessagesAndEachNodeGetsEveryDurableOne) {
  auto a = open("a-" + uniqueToken());
  auto b = open("b-" + uniqueToken());
  ASSERT_TRUE(a && b);
  Inbox at_b;
  auto plain = b->subscribe(p_ + ".room.1", [&](Message m) { at_b.add(m); });
  ASSERT_TRUE(plain.ok());
  ASSERT_TRUE(eventually([&] {  // interest travels between servers
    EXPECT_TRUE(a->publish(p_ + ".room.1", "hello").ok());
    std::this_thread::sleep_for(5ms);
    return at_b.size() > 0;
  }));
  const std::string subject = "durable." + p_ + ".rooms";
  Inbox da, db;
  auto sa = a->subscribeDurable(subject, "node-a", [&](Message m) { da.add(m); });
  auto sb = b->subscribeDurable(subject, "node-b", [&](Message m) { db.add(m); });
  ASSERT_TRUE(sa.ok() && sb.ok());
  ASSERT_TRUE(a->publishDurable(subject, "ended", 5s).ok());
  ASSERT_TRUE(b->publishDurable(subject, "revoked", 5s).ok());
  ASSERT_TRUE(eventually([&] { return da.size() == 2 && db.size() == 2; }));
  EXPECT_EQ(da.data(), (std::vector<std::string>{"ended", "revoked"}));
  EXPECT_EQ(db.data(), da.data());
}

TEST(NatsConfigTest, UrlsAreCheckedAndAnUnreachableClusterIsNamed) {
  auto ok = parseNatsUrls(" nats://10.0.0.1:4222, 10.0.0.2:4223 ,,[::1]:4222");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, (std::vector<std::string>{"nats://10.0.0.1:4222", "nats://10.0.0.2:4223",
                                           "nats://[::1]:4222"}));
  for (const char* bad : {"", " , ", "http://a:4222", "tls://a:4222", "a", "nats://a:0",
                          "nats://user:pw@a:4222", "nats://a:99999"}) {
    auto r = parseNatsUrls(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::kInvalid);
    EXPECT_NE(r.error().message.find("bus.nats_urls"), std::string::npos) << r.error().message;
  }
  // Nothing listens on port 1 of 127.0.0.1.
  auto closed =
      openNatsBus({.urls = {"nats://127.0.0.1:1"}, .node_name = "n1", .connect_timeout = 300ms});
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().kind, ErrorKind::kUnavailable);
  EXPECT_NE(closed.error().message.find("nats://127.0.0.1:1"), std::string::npos)
      << closed.error().message;
  auto unnamed = openNatsBus({.urls = {"nats://127.0.0.1:1"}, .node_name = "a.b"});
  ASSERT_FALSE(unnamed.ok());
  EXPECT_EQ(unnamed.error().kind, ErrorKind::kInvalid);
}

}  // namespace
}  // namespace kino::bus
