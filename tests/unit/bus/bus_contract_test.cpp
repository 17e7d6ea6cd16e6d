// The contract every Bus adapter must pass (kino/bus/bus.hpp): order, wildcards, unsubscribing
// (from outside and from inside a handler), subject rules, durable delivery with per-consumer
// cursors. Adapters: "local" (a new in-process bus per test) and "nats" (a NATS cluster started
// once per test binary run, tests/lib/nats_cluster.hpp; every test uses subjects and consumer names
// of its own, so the shared stream does not mix them up).
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <set>

#include "kino/bus/local_bus.hpp"
#include "kino/bus/nats_bus.hpp"
#include "lib/nats_cluster.hpp"
#include "unit/bus/bus_test_support.hpp"

namespace kino::bus {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::Inbox;
using testing::uniqueToken;

struct Adapter {
  const char* name;
  std::function<std::unique_ptr<Bus>()> open;
};

void PrintTo(const Adapter& a, std::ostream* os) { *os << a.name; }

const Adapter kAdapters[] = {
    {"local", [] { return makeLocalBus(); }},
    {"nats",
     [] {
       auto& cluster = testlib::sharedNatsCluster();
       cluster.ensureAllRunning();
       return std::move(openNatsBus({.urls = cluster.urls(), .node_name = "t-" + uniqueToken()}))
           .value();
     }},
};

class BusContractTest : public ::testing::TestWithParam<Adapter> {
 protected:
  void SetUp() override {
    bus_ = GetParam().open();
    p_ = "t" + uniqueToken();
  }
  // A subject of this test only: "<p_>.<rest>" or, for durable ones, "durable.<p_>.<rest>".
  std::string subject(const std::string& rest) const { return p_ + "." + rest; }
  std::string durable(const std::string& rest) const { return "durable." + p_ + "." + rest; }

  std::unique_ptr<Bus> bus_;
  std::string p_;
};

TEST_P(BusContractTest, DeliversInPublishOrderToExactAndWildcardSubscribers) {
  Inbox exact, wild;
  auto a = bus_->subscribe(subject("room.1.in"), [&](Message m) { exact.add(m); });
  auto b = bus_->subscribe(subject("room.>"), [&](Message m) { wild.add(m); });
  ASSERT_TRUE(a.ok() && b.ok());
  for (int i = 0; i < 100; ++i)
    ASSERT_TRUE(bus_->publish(subject("room.1.in"), std::to_string(i)).ok());
  ASSERT_TRUE(bus_->publish(subject("room.2.in"), "x").ok());
  ASSERT_TRUE(bus_->publish(subject("node.n1"), "y").ok());
  ASSERT_TRUE(bus_->publish(subject("room"), "not below room").ok());
  ASSERT_TRUE(eventually([&] { return wild.size() == 101; }));
  ASSERT_TRUE(eventually([&] { return exact.size() == 100; }));
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(exact.all()[static_cast<std::size_t>(i)],
              subject("room.1.in") + "=" + std::to_string(i));
  }
  EXPECT_EQ(wild.all().back(), subject("room.2.in") + "=x");
}

TEST_P(BusContractTest, AfterASubscriptionIsDestroyedItsHandlerIsNotRunningAndNeverRunsAgain) {
  std::atomic<int> running{0}, calls{0};
  auto sub = bus_->subscribe(subject("t"), [&](Message) {
    ++running;
    std::this_thread::sleep_for(20ms);
    ++calls;
    --running;
  });
  ASSERT_TRUE(sub.ok());
  ASSERT_TRUE(bus_->publish(subject("t"), "1").ok());
  ASSERT_TRUE(eventually([&] { return running == 1; }));
  sub->reset();
  EXPECT_EQ(running, 0) << "the destructor waited for the running handler";
  const int seen = calls;
  ASSERT_TRUE(bus_->publish(subject("t"), "2").ok());
  Inbox after;
  auto probe = bus_->subscribe(subject("t"), [&](Message m) { after.add(m); });
  ASSERT_TRUE(bus_->publish(subject("t"), "3").ok());
  ASSERT_TRUE(eventually([&] { return after.size() == 1; }));
  EXPECT_EQ(calls, seen);
}

TEST_P(BusContractTest, AHandlerMayEndItsOwnSubscription) {
  std::unique_ptr<Subscription> self;
  std::atomic<int> calls{0};
  std::atomic<bool> ready{false};
  auto sub = bus_->subscribe(subject("once"), [&](Message) {
    while (!ready) std::this_thread::yield();  // `self` is assigned
    ++calls;
    self.reset();
  });
  self = std::move(sub).value();
  ready = true;
  ASSERT_TRUE(bus_->publish(subject("once"), "a").ok());
  ASSERT_TRUE(bus_->publish(subject("once"), "b").ok());
  Inbox probe;
  auto p = bus_->subscribe(subject("once"), [&](Message m) { probe.add(m); });
  ASSERT_TRUE(bus_->publish(subject("once"), "c").ok());
  // Two subscriptions may be served by different delivery threads: "c" can reach the probe before
  // "a" reaches the first handler, so wait for both.
  ASSERT_TRUE(eventually([&] { return probe.size() == 1 && calls.load() >= 1; }));
  EXPECT_EQ(calls, 1);
}

TEST_P(BusContractTest, HandlersOfOneSubscriptionRunOneAtATime) {
  std::atomic<int> running{0}, most{0}, calls{0};
  auto sub = bus_->subscribe(subject("busy"), [&](Message) {
    const int now = ++running;
    int seen = most;
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::yield();
    ++calls;
    --running;
  });
  ASSERT_TRUE(sub.ok());
  std::vector<std::thread> publishers;
  for (int t = 0; t < 4; ++t) {
    publishers.emplace_back([&] {
      for (int i = 0; i < 50; ++i) EXPECT_TRUE(bus_->publish(subject("busy"), "x").ok());
    });
  }
  for (auto& t : publishers) t.join();
  ASSERT_TRUE(eventually([&] { return calls == 200; }));
  EXPECT_EQ(most, 1);
}

TEST_P(BusContractTest, SubjectsAndConsumersAreCheckedAndDurableSubjectsLiveUnderDurable) {
  for (const char* bad : {"", ".a", "a.", "a..b", "a b", "a.*", "room.>", ">", "a.b\n"}) {
    EXPECT_FALSE(bus_->publish(bad, "x").ok()) << bad;
    EXPECT_FALSE(bus_->publishDurable(std::string("durable.") + bad, "x", 1s).ok()) << bad;
  }
  for (const char* bad : {"", "room.>.x", "*", "a.*", ">"}) {
    EXPECT_FALSE(bus_->subscribe(bad, [](Message) {}).ok()) << bad;
  }
  EXPECT_TRUE(bus_->subscribe(subject(">"), [](Message) {}).ok());
  auto not_durable = bus_->publishDurable(subject("1"), "x", 1s);
  ASSERT_FALSE(not_durable.ok());
  EXPECT_EQ(not_durable.error().kind, ErrorKind::kInvalid);
  EXPECT_FALSE(bus_->subscribeDurable(subject("1"), "n1", [](Message) {}).ok());
  for (const char* bad_consumer : {"", "a.b", "a b", "*", ">"}) {
    auto r = bus_->subscribeDurable(durable("x"), bad_consumer, [](Message) {});
    ASSERT_FALSE(r.ok()) << bad_consumer;
    EXPECT_EQ(r.error().kind, ErrorKind::kInvalid) << bad_consumer;
  }
  Inbox inbox;
  auto d = bus_->subscribeDurable(durable("sessions"), "n1", [&](Message m) { inbox.add(m); });
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(bus_->publishDurable(durable("sessions"), "revoked", 5s).ok());
  ASSERT_TRUE(eventually([&] { return inbox.size() == 1; }));
  EXPECT_EQ(inbox.all()[0], durable("sessions") + "=revoked");
  EXPECT_TRUE(validSubject("node.kino-1_a.out"));
  EXPECT_TRUE(validSubject("room.>", true));
  EXPECT_FALSE(validSubject(">", true));
}

TEST_P(BusContractTest, EveryDurableConsumerGetsEveryMessageInOrder) {
  Inbox a, b, wild;
  auto sa = bus_->subscribeDurable(durable("rooms.ended"), "node-a", [&](Message m) { a.add(m); });
  auto sb = bus_->subscribeDurable(durable("rooms.ended"), "node-b", [&](Message m) { b.add(m); });
  auto sw = bus_->subscribeDurable(durable(">"), "node-a", [&](Message m) { wild.add(m); });
  ASSERT_TRUE(sa.ok() && sb.ok() && sw.ok());
  std::vector<std::string> sent;
  for (int i = 0; i < 20; ++i) {
    sent.push_back(std::to_string(i));
    ASSERT_TRUE(bus_->publishDurable(durable("rooms.ended"), sent.back(), 5s).ok());
  }
  ASSERT_TRUE(bus_->publishDurable(durable("sessions.revoked"), "s", 5s).ok());
  ASSERT_TRUE(eventually([&] { return a.size() >= 20 && b.size() >= 20 && wild.size() >= 21; }));
  EXPECT_EQ(a.data(), sent);
  EXPECT_EQ(b.data(), sent);
  EXPECT_EQ(wild.data().back(), "s") << "a consumer name keeps one cursor per subject";
}

TEST_P(BusContractTest, ADurableConsumerStartsWithWhatIsPublishedAfterItsFirstSubscription) {
  ASSERT_TRUE(bus_->publishDurable(durable("x"), "before", 5s).ok());
  Inbox inbox;
  auto sub = bus_->subscribeDurable(durable("x"), "late", [&](Message m) { inbox.add(m); });
  ASSERT_TRUE(sub.ok());
  ASSERT_TRUE(bus_->publishDurable(durable("x"), "after", 5s).ok());
  ASSERT_TRUE(eventually([&] { return inbox.size() >= 1; }));
  EXPECT_EQ(inbox.data(), std::vector<std::string>{"after"});
}

TEST_P(BusContractTest, AConsumerThatComesBackGetsWhatWasPublishedWhileItWasAway) {
  Inbox first;
  auto sub = bus_->subscribeDurable(durable("x"), "node-1", [&](Message m) { first.add(m); });
  ASSERT_TRUE(sub.ok());
  ASSERT_TRUE(bus_->publishDurable(durable("x"), "1", 5s).ok());
  ASSERT_TRUE(eventually([&] { return first.size() == 1; }));
  sub->reset();
  ASSERT_TRUE(bus_->publishDurable(durable("x"), "2", 5s).ok());
  ASSERT_TRUE(bus_->publishDurable(durable("x"), "3", 5s).ok());
  EXPECT_EQ(first.size(), 1u);

  Inbox other;  // another consumer name has a cursor of its own: it starts now
  auto fresh = bus_->subscribeDurable(durable("x"), "node-2", [&](Message m) { other.add(m); });
  Inbox back;
  auto again = bus_->subscribeDurable(durable("x"), "node-1", [&](Message m) { back.add(m); });
  ASSERT_TRUE(fresh.ok() && again.ok());
  ASSERT_TRUE(bus_->publishDurable(durable("x"), "4", 5s).ok());
  ASSERT_TRUE(eventually([&] { return back.size() >= 3 && other.size() >= 1; }));
  EXPECT_EQ(back.data(), (std::vector<std::string>{"2", "3", "4"}));
  EXPECT_EQ(other.data(), std::vector<std::string>{"4"});
}

TEST_P(BusContractTest, ADurableHandlerMayEndItsOwnSubscriptionAndWhatItDidNotHandleComesAgain) {
  std::unique_ptr<Subscription> self;
  std::atomic<int> calls{0};
  std::atomic<bool> ready{false};
  auto sub = bus_->subscribeDurable(durable("once"), "c", [&](Message) {
    while (!ready) std::this_thread::yield();
    ++calls;
    self.reset();
  });
  ASSERT_TRUE(sub.ok());
  self = std::move(sub).value();
  ready = true;
  ASSERT_TRUE(bus_->publishDurable(durable("once"), "a", 5s).ok());
  ASSERT_TRUE(bus_->publishDurable(durable("once"), "b", 5s).ok());
  ASSERT_TRUE(eventually([&] { return calls == 1; }));
  Inbox back;
  auto again = bus_->subscribeDurable(durable("once"), "c", [&](Message m) { back.add(m); });
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(eventually([&] {
    const auto got = back.data();
    return std::find(got.begin(), got.end(), "b") != got.end();
  }));
  EXPECT_EQ(calls, 1);
}

TEST_P(BusContractTest,
       AfterADurableSubscriptionIsDestroyedItsHandlerIsNotRunningAndNeverRunsAgain) {
  std::atomic<int> running{0}, calls{0};
  auto sub = bus_->subscribeDurable(durable("t"), "c", [&](Message) {
    ++running;
    std::this_thread::sleep_for(20ms);
    ++calls;
    --running;
  });
  ASSERT_TRUE(sub.ok());
  ASSERT_TRUE(bus_->publishDurable(durable("t"), "1", 5s).ok());
  ASSERT_TRUE(eventually([&] { return running == 1; }));
  sub->reset();
  EXPECT_EQ(running, 0) << "the destructor waited for the running handler";
  const int seen = calls;
  ASSERT_TRUE(bus_->publishDurable(durable("t"), "2", 5s).ok());
  Inbox after;
  auto probe = bus_->subscribeDurable(durable("t"), "other", [&](Message m) { after.add(m); });
  ASSERT_TRUE(bus_->publishDurable(durable("t"), "3", 5s).ok());
  ASSERT_TRUE(eventually([&] { return after.size() == 1; }));
  EXPECT_EQ(calls, seen);
}

// Journals: what an owner appended is what the next claim reads, in order; an owner whose journal
// was claimed since cannot add to it; a trim drops what came before the owner's last position.
TEST_P(BusContractTest, AClaimReadsEveryEntryInOrderAndFencesTheEarlierOwner) {
  const std::string j = "durable.journal." + p_;
  auto first = bus_->claimJournal(j, 5s);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(first->entries.empty());
  auto a = bus_->appendJournal(j, first->position, "a", 5s);
  ASSERT_TRUE(a.ok()) << a.error().message;
  auto b = bus_->appendJournal(j, *a, "b", 5s);
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_GT(*b, *a);

  auto second = bus_->claimJournal(j, 5s);
  ASSERT_TRUE(second.ok()) << second.error().message;
  ASSERT_EQ(second->entries.size(), 2u);
  EXPECT_EQ(second->entries[0].data, "a");
  EXPECT_EQ(second->entries[1].data, "b");
  EXPECT_EQ(second->entries[1].position, *b);

  auto late = bus_->appendJournal(j, *b, "from the old owner", 5s);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, "journal_fenced");
  auto c = bus_->appendJournal(j, second->position, "c", 5s);
  ASSERT_TRUE(c.ok()) << c.error().message;

  ASSERT_TRUE(bus_->trimJournal(j, *c, 5s).ok());
  auto d = bus_->appendJournal(j, *c, "d", 5s);  // the trim kept the owner's place
  ASSERT_TRUE(d.ok()) << d.error().message;
  auto third = bus_->claimJournal(j, 5s);
  ASSERT_TRUE(third.ok()) << third.error().message;
  std::vector<std::string> seen;
  for (const auto& e : third->entries) seen.push_back(e.data);
  EXPECT_EQ(seen, (std::vector<std::string>{"c", "d"}));
}

TEST_P(BusContractTest, JournalsLiveUnderDurableJournalAndEntriesAreNotEmpty) {
  EXPECT_EQ(bus_->claimJournal(durable("j"), 1s).error().code, "bad_subject");
  const std::string j = "durable.journal." + p_;
  auto claim = bus_->claimJournal(j, 5s);
  ASSERT_TRUE(claim.ok());
  EXPECT_FALSE(bus_->appendJournal(j, claim->position, "", 1s).ok());
  // Journals are separate from one another.
  auto other = bus_->claimJournal(j + "x", 5s);
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(bus_->appendJournal(j, claim->position, "still mine", 5s).ok());
}

INSTANTIATE_TEST_SUITE_P(Adapters, BusContractTest, ::testing::ValuesIn(kAdapters),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace kino::bus
