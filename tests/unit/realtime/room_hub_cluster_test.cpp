// Two nodes over one store and one bus (each with its own io_context and worker pool, like two
// processes): a room runs on the node that holds its lease; a connection that reaches the other
// node is relayed there and behaves the same; when the owner dies the relayed sockets are told to
// reconnect (1012) and the next visitor's node takes the room over from the store.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "fakes/fake_clock.hpp"
#include "kino/bus/local_bus.hpp"
#include "kino/realtime/cluster_wire.hpp"
#include "kino/realtime/room_hub.hpp"
#include "kino/storage/sqlite_store.hpp"

namespace kino::realtime {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

template <class F>
bool eventually(F done, std::chrono::milliseconds limit = 10s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

// Records what a socket would have been sent.
struct RecordingOutlet : Outlet {
  void deliver(Frame f) override {
    std::lock_guard lock(mu);
    frames.push_back(boost::json::parse(*f).as_object());
  }
  void close(int code, std::string) override {
    std::lock_guard lock(mu);
    closed = code;
  }
  std::vector<boost::json::object> all() {
    std::lock_guard lock(mu);
    return frames;
  }
  int closeCode() {
    std::lock_guard lock(mu);
    return closed;
  }
  bool has(std::string_view type, std::string_view field = {}, std::string_view value = {}) {
    for (const auto& f : all()) {
      if (f.at("type").as_string() != type) continue;
      if (field.empty()) return true;
      if (const auto* v = f.if_contains(field); v && v->is_string() && v->as_string() == value)
        return true;
    }
    return false;
  }
  std::mutex mu;
  std::vector<boost::json::object> frames;
  int closed = 0;
};

// The shared store, whose lease calls can be cut off, and whose chat appends can stall (a database
// failover in progress).
class OutageStore final : public storage::Store {
 public:
  explicit OutageStore(storage::Store& s) : s_(s), leases_(*this), messages_(*this) {}
  void setDown(bool down) { down_ = down; }
  // While set, appendBatch waits; when cleared, the waiting calls fail (their connection died)
  // and later ones go through.
  void setChatStalled(bool stalled) { chat_stalled_ = stalled; }
  // While set, appendBatch waits; when cleared, the waiting calls go through (a slow database).
  void setChatSlow(bool slow) { chat_slow_ = slow; }
  int slowCalls() const { return slow_calls_; }
  storage::UserRepository& users() override { return s_.users(); }
  storage::SessionRepository& sessions() override { return s_.sessions(); }
  storage::RoomRepository& rooms() override { return s_.rooms(); }
  storage::MessageRepository& messages() override { return messages_; }
  storage::AssetRepository& assets() override { return s_.assets(); }
  storage::PlaybackRepository& playback() override { return s_.playback(); }
  storage::LeaseRepository& leases() override { return leases_; }
  storage::MediaPlacementRepository& mediaPlacements() override { return s_.mediaPlacements(); }
  storage::RateEventRepository& rateEvents() override { return s_.rateEvents(); }
  storage::VisitRepository& visits() override { return s_.visits(); }
  Result<void> ping() override { return s_.ping(); }
  Result<int> migrate() override { return s_.migrate(); }
  Result<void> maintain(common::TimePoint now) override { return s_.maintain(now); }

 private:
  static Error down() {
    return Error::make(ErrorKind::kUnavailable, "store_unavailable", "failover");
  }
  struct Leases final : storage::LeaseRepository {
    explicit Leases(OutageStore& outer) : o(outer) {}
    storage::LeaseRepository& real() { return o.s_.leases(); }
    Result<storage::LeaseRecord> acquire(std::string_view n, std::string_view h,
                                         common::TimePoint t,
                                         std::chrono::milliseconds ttl) override {
      if (o.down_) return down();
      return real().acquire(n, h, t, ttl);
    }
    Result<storage::LeaseRecord> renew(std::string_view n, std::string_view h, std::int64_t token,
                                       common::TimePoint t,
                                       std::chrono::milliseconds ttl) override {
      if (o.down_) return down();
      return real().renew(n, h, token, t, ttl);
    }
    Result<void> release(std::string_view n, std::string_view h, std::int64_t token) override {
      if (o.down_) return down();
      return real().release(n, h, token);
    }
    Result<storage::LeaseRecord> find(std::string_view n) override {
      if (o.down_) return down();
      return real().find(n);
    }
    Result<std::vector<storage::LeaseRecord>> heldBy(std::string_view h, std::string_view p,
                                                     common::TimePoint t) override {
      if (o.down_) return down();
      return real().heldBy(h, p, t);
    }
    OutageStore& o;
  };
  struct Messages final : storage::MessageRepository {
    explicit Messages(OutageStore& outer) : o(outer) {}
    storage::MessageRepository& real() { return o.s_.messages(); }
    Result<std::vector<storage::MessageRecord>> appendBatch(
        const std::vector<storage::NewMessage>& batch, const storage::Fence& fence) override {
      if (o.chat_stalled_) {
        while (o.chat_stalled_) std::this_thread::sleep_for(2ms);
        return down();
      }
      if (o.chat_slow_) {
        ++o.slow_calls_;
        while (o.chat_slow_) std::this_thread::sleep_for(2ms);
      }
      return real().appendBatch(batch, fence);
    }
    Result<std::vector<storage::MessageRecord>> page(std::int64_t room,
                                                     std::optional<std::int64_t> before,
                                                     int limit) override {
      return real().page(room, before, limit);
    }
    Result<std::int64_t> lastSeq(std::int64_t room) override { return real().lastSeq(room); }
    Result<std::int64_t> seqFloor(std::int64_t room) override { return real().seqFloor(room); }
    Result<void> raiseSeqFloor(std::int64_t room, std::int64_t floor,
                               const storage::Fence& fence) override {
      return real().raiseSeqFloor(room, floor, fence);
    }
    OutageStore& o;
  };
  storage::Store& s_;
  std::atomic<bool> down_{false};
  std::atomic<bool> chat_stalled_{false};
  std::atomic<bool> chat_slow_{false};
  std::atomic<int> slow_calls_{0};
  Leases leases_;
  Messages messages_;
};

// The shared bus, whose journal appends can be held back (JetStream electing a new leader), and
// whose plain messages can be lost (a node reconnecting to another NATS server).
class JournalGate final : public bus::Bus {
 public:
  explicit JournalGate(bus::Bus& b) : b_(b) {}
  void setAppendsHeld(bool held) { held_ = held; }
  int appends() const { return appends_; }
  // Plain messages on subjects starting with `prefix` vanish (empty: none do).
  void setLosing(std::string prefix) {
    std::lock_guard lock(mu_);
    losing_ = std::move(prefix);
  }
  int lost() const { return lost_; }
  void reconnected() { ++reconnects_; }
  Result<void> publish(std::string_view subject, std::string_view data) override {
    {
      std::lock_guard lock(mu_);
      if (!losing_.empty() && subject.starts_with(losing_)) {
        ++lost_;
        return {};
      }
    }
    return b_.publish(subject, data);
  }
  Result<std::unique_ptr<bus::Subscription>> subscribe(std::string_view subject,
                                                       bus::Handler handler) override {
    return b_.subscribe(subject, std::move(handler));
  }
  Result<void> publishDurable(std::string_view subject, std::string_view data,
                              std::chrono::milliseconds wait) override {
    return b_.publishDurable(subject, data, wait);
  }
  Result<std::unique_ptr<bus::Subscription>> subscribeDurable(std::string_view subject,
                                                              std::string_view consumer,
                                                              bus::Handler handler) override {
    return b_.subscribeDurable(subject, consumer, std::move(handler));
  }
  Result<JournalClaim> claimJournal(std::string_view subject,
                                    std::chrono::milliseconds wait) override {
    return b_.claimJournal(subject, wait);
  }
  Result<std::uint64_t> appendJournal(std::string_view subject, std::uint64_t after,
                                      std::string_view data,
                                      std::chrono::milliseconds wait) override {
    ++appends_;
    while (held_) std::this_thread::sleep_for(2ms);
    return b_.appendJournal(subject, after, data, wait);
  }
  Result<void> trimJournal(std::string_view subject, std::uint64_t position,
                           std::chrono::milliseconds wait) override {
    return b_.trimJournal(subject, position, wait);
  }
  bool healthy() const override { return b_.healthy(); }
  std::uint64_t reconnects() const override { return reconnects_; }

 private:
  bus::Bus& b_;
  mutable std::mutex mu_;
  std::string losing_;
  std::atomic<int> lost_{0};
  std::atomic<std::uint64_t> reconnects_{0};
  std::atomic<bool> held_{false};
  std::atomic<int> appends_{0};
};

// One node: its own threads, sharing the store, the bus and the clock with the others.
struct Node {
  Node(std::string id, storage::Store& store, bus::Bus& bus, const common::Clock& clock)
      : presence(&clock) {
    thread = std::thread([this] { io.run(); });
    HubOptions options;
    options.release_after = 0ms;
    options.cluster = {
        .bus = &bus, .node_id = std::move(id), .lease_ttl = 3000ms, .journal_after = 100ms};
    hub = std::make_unique<RoomHub>(io, workers, store, presence, clock, options, nullptr);
  }
  // Dies without a goodbye: its threads stop; nothing is released or sent.
  void kill() {
    io.stop();
    if (thread.joinable()) thread.join();
  }
  ~Node() {
    kill();
    hub.reset();
    workers.join();
  }
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  asio::thread_pool workers{2};
  std::thread thread;
  rooms::PresenceRegistry presence;
  std::unique_ptr<RoomHub> hub;
};

class RoomHubClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kino-hub-cluster-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    store_ = std::move(storage::openSqliteStore(dir_ / "kino.db")).value();
    ASSERT_TRUE(store_->migrate().ok());
    const auto owner = store_->users().create({"owner", "Owner", "h", clock_.now()}).value().id;
    room_ = store_->rooms()
                .create({"roomaaaaaa", owner, "T", "", "https://v.test/a.mp4", "public", "", "",
                         std::nullopt, 120, "live", clock_.now()})
                .value()
                .id;
    shared_ = std::make_unique<OutageStore>(*store_);
    a_ = std::make_unique<Node>("node-a", *shared_, *gate_, clock_);
    b_ = std::make_unique<Node>("node-b", *shared_, *gate_, clock_);
  }
  void TearDown() override {
    gate_->setAppendsHeld(false);
    a_.reset();
    b_.reset();
    gate_.reset();
    bus_.reset();
    shared_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }
  static Connect visitor(ConnId conn, const std::string& who) {
    Connect c;
    c.conn = conn;
    c.participant_id = "p-" + who;
    c.principal = "user:" + who;
    c.member = {"u" + who, who, std::nullopt};
    return c;
  }
  // Ann connects on node a, which then runs the room; Bob on node b, relayed to a.
  struct AnnAndBob {
    std::shared_ptr<RoomLink> on_a, on_b;
    std::shared_ptr<RecordingOutlet> ann = std::make_shared<RecordingOutlet>();
    std::shared_ptr<RecordingOutlet> bob = std::make_shared<RecordingOutlet>();
  };
  AnnAndBob annOnABobOnB() {
    AnnAndBob p;
    p.on_a = a_->hub->acquire(room_, "roomaaaaaa").value();
    p.on_a->connect(visitor(1, "1"), p.ann);
    p.on_b = b_->hub->acquire(room_, "roomaaaaaa").value();
    p.on_b->connect(visitor(1, "2"), p.bob);
    return p;
  }
  static std::string chat(const std::string& id, const std::string& text) {
    return boost::json::serialize(
        boost::json::object{{"type", "chat.send"}, {"id", id}, {"text", text}});
  }

  fs::path dir_;
  kino::testing::FakeClock clock_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<OutageStore>
      shared_;  // what the nodes use: store_, with lease calls that can fail
  std::unique_ptr<bus::Bus> bus_ = bus::makeLocalBus();
  std::unique_ptr<JournalGate> gate_ = std::make_unique<JournalGate>(*bus_);  // what the nodes use
  std::int64_t room_ = 0;
  std::unique_ptr<Node> a_, b_;
};

TEST_F(RoomHubClusterTest, AConnectionOnAnotherNodeIsRelayedToTheRoomsOwnerAndBehavesTheSame) {
  auto on_a = a_->hub->acquire(room_, "roomaaaaaa");
  ASSERT_TRUE(on_a.ok());
  auto ann = std::make_shared<RecordingOutlet>();
  (*on_a)->connect(visitor(1, "1"), ann);
  ASSERT_TRUE(eventually([&] { return ann->has("hello"); }));
  EXPECT_EQ(store_->leases().find(roomLease(room_))->holder, "node-a");

  auto on_b = b_->hub->acquire(room_, "roomaaaaaa");
  ASSERT_TRUE(on_b.ok());
  EXPECT_EQ(b_->hub->actorCount(), 0u) << "node b does not run the room";
  EXPECT_EQ(b_->hub->relayCount(), 1u);
  auto bob = std::make_shared<RecordingOutlet>();
  (*on_b)->connect(visitor(1, "2"), bob);  // the same connection id as Ann's, on another node
  ASSERT_TRUE(eventually([&] { return bob->has("hello"); })) << "the owner's hello reaches node b";
  ASSERT_TRUE(eventually([&] { return ann->has("member.joined"); })) << "Ann sees Bob arrive";

  (*on_b)->receive(1, chat("b-1", "hello from node b"));
  ASSERT_TRUE(eventually([&] { return bob->has("chat.ack", "id", "b-1"); }));
  ASSERT_TRUE(eventually([&] { return ann->has("chat.message"); }));
  (*on_a)->receive(1, chat("a-1", "and back"));
  ASSERT_TRUE(eventually([&] {
    for (const auto& f : bob->all()) {
      if (f.at("type").as_string() == "chat.message" &&
          f.at("message").as_object().at("text").as_string() == "and back")
        return true;
    }
    return false;
  }));
  EXPECT_EQ(store_->messages().page(room_, std::nullopt, 10)->size(), 2u) << "stored once each";

  EXPECT_TRUE(eventually([&] { return b_->presence.participants("roomaaaaaa") == 2; }))
      << "node b counts the people of a room node a runs (listings, the empty-room timeout)";
  EXPECT_EQ(a_->presence.participants("roomaaaaaa"), 2);

  (*on_b)->disconnect(1);
  EXPECT_TRUE(eventually([&] { return ann->has("member.left"); }))
      << "Bob's leave reaches the owner";
  EXPECT_TRUE(eventually([&] { return b_->hub->relayCount() == 0; }));
}

TEST_F(RoomHubClusterTest, WhenTheOwnerDiesRelayedSocketsReconnectAndTheRoomMovesWithItsHistory) {
  auto on_a = a_->hub->acquire(room_, "roomaaaaaa");
  ASSERT_TRUE(on_a.ok());
  auto ann = std::make_shared<RecordingOutlet>();
  (*on_a)->connect(visitor(1, "1"), ann);
  auto on_b = b_->hub->acquire(room_, "roomaaaaaa");
  auto bob = std::make_shared<RecordingOutlet>();
  (*on_b)->connect(visitor(7, "2"), bob);
  (*on_b)->receive(7, chat("b-1", "before the crash"));
  ASSERT_TRUE(eventually([&] { return bob->has("chat.ack", "id", "b-1"); }));

  a_->kill();          // node a is gone: no lease renewals, no goodbye
  clock_.advance(4s);  // past the lease
  ASSERT_TRUE(eventually([&] { return bob->closeCode() == 1012; }))
      << "node b tells its socket to reconnect once the owner's lease has expired";

  // The browser reconnects (here: to node b again), resuming after what it saw.
  auto again = b_->hub->acquire(room_, "roomaaaaaa");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(b_->hub->actorCount(), 1u) << "node b took the room over";
  EXPECT_EQ(store_->leases().find(roomLease(room_))->holder, "node-b");
  auto bob2 = std::make_shared<RecordingOutlet>();
  (*again)->connect(visitor(8, "2"), bob2);
  ASSERT_TRUE(eventually([&] { return bob2->has("hello"); }));
  const auto hello = bob2->all().front();
  bool kept = false;
  for (const auto& m : hello.at("snapshot").as_object().at("messages").as_array()) {
    kept |= m.as_object().at("text").as_string() == "before the crash";
  }
  EXPECT_TRUE(kept) << "the acknowledged message is in the new owner's snapshot";
  (*again)->receive(8, chat("b-1", "before the crash"));  // a resend after the reconnect
  ASSERT_TRUE(eventually([&] { return bob2->has("chat.ack", "id", "b-1"); }));
  EXPECT_EQ(store_->messages().page(room_, std::nullopt, 10)->size(), 1u) << "no duplicate";
}

TEST_F(RoomHubClusterTest, EndingTheRoomOnANodeThatDoesNotRunItReachesEveryoneThroughTheOwner) {
  const auto people = annOnABobOnB();  // holds both links for the test
  const auto ann = people.ann;
  const auto bob = people.bob;
  ASSERT_TRUE(eventually([&] { return bob->has("hello"); }));
  b_->hub->endRoom(room_, {"owner_ended", "2026-12-07T12:00:00Z"});  // POST …/end reached node b
  EXPECT_TRUE(
      eventually([&] { return ann->has("room.ended") && ann->closeCode() == kCloseRoomEnded; }));
  EXPECT_TRUE(
      eventually([&] { return bob->has("room.ended") && bob->closeCode() == kCloseRoomEnded; }));
}

TEST_F(RoomHubClusterTest, ANodeShuttingDownHandsItsRoomsOverAtOnce) {
  auto on_a = a_->hub->acquire(room_, "roomaaaaaa");
  auto ann = std::make_shared<RecordingOutlet>();
  (*on_a)->connect(visitor(1, "1"), ann);
  ASSERT_TRUE(eventually([&] { return ann->has("hello"); }));
  a_->hub->closeAll();  // SIGTERM
  EXPECT_TRUE(eventually([&] { return ann->closeCode() == 1012; })) << "reconnect elsewhere now";
  // No waiting for the lease to run out: the next node asked runs the room.
  ASSERT_TRUE(eventually([&] {
    auto l = store_->leases().find(roomLease(room_));
    return l.ok() && l->expires_at <= clock_.now();
  }));
  auto on_b = b_->hub->acquire(room_, "roomaaaaaa");
  ASSERT_TRUE(on_b.ok());
  EXPECT_EQ(b_->hub->actorCount(), 1u);
  (*on_b)->abandon();
}

TEST_F(RoomHubClusterTest, TheOwnerDropsConnectionsOfANodeThatDied) {
  const auto people = annOnABobOnB();  // holds both links for the test
  const auto ann = people.ann;
  const auto bob = people.bob;
  ASSERT_TRUE(eventually([&] { return ann->has("member.joined"); }));
  b_->kill();
  // Node a keeps renewing its own leases as time passes; node b's heartbeat stops.
  for (int i = 0; i < 4 && !ann->has("member.left"); ++i) {
    clock_.advance(1s);
    std::this_thread::sleep_for(1100ms);
  }
  EXPECT_TRUE(eventually([&] { return ann->has("member.left"); }))
      << "Bob's connection went with his node";
}

// A database failover longer than the lease ttl: nobody could renew, so every lease ran out with
// its holder alive. Afterwards the owner keeps the room under the same token, and nobody is told to
// reconnect or dropped as dead.
TEST_F(RoomHubClusterTest, AStoreOutageLongerThanTheLeaseMovesNoRoomAndDropsNoSocket) {
  const auto people = annOnABobOnB();  // holds both links for the test
  const auto ann = people.ann;
  const auto bob = people.bob;
  ASSERT_TRUE(eventually([&] { return ann->has("member.joined") && bob->has("hello"); }));
  const auto before = store_->leases().find(roomLease(room_)).value();

  shared_->setDown(true);
  for (int i = 0; i < 5; ++i) {  // 5 s of outage; the nodes try their lease calls and fail
    clock_.advance(1s);
    std::this_thread::sleep_for(1100ms);
  }
  EXPECT_LE(store_->leases().find(roomLease(room_))->expires_at, clock_.now()) << "it ran out";
  shared_->setDown(false);
  for (int i = 0; i < 2; ++i) {  // back: the nodes renew what they hold
    clock_.advance(1s);
    std::this_thread::sleep_for(1100ms);
  }

  const auto after = store_->leases().find(roomLease(room_)).value();
  EXPECT_EQ(after.holder, "node-a");
  EXPECT_EQ(after.token, before.token) << "renewed, not taken over";
  EXPECT_GT(after.expires_at, clock_.now());
  EXPECT_EQ(bob->closeCode(), 0) << "the edge kept relaying";
  EXPECT_EQ(ann->closeCode(), 0);
  EXPECT_FALSE(ann->has("member.left")) << "the owner did not take node b for dead";
  people.on_b->receive(1, chat("b-1", "after the failover"));
  EXPECT_TRUE(
      eventually([&] { return bob->has("chat.ack", "id", "b-1") && ann->has("chat.message"); }));
}

// Chat during a database failover: the owner acknowledges what the room's journal on the bus holds,
// so people keep talking; the messages reach the store once it answers again.
TEST_F(RoomHubClusterTest, ChatGoesOnThroughTheJournalWhileTheStoreStallsAndIsStoredAfterwards) {
  const auto people = annOnABobOnB();  // holds both links for the test
  const auto ann = people.ann;
  const auto bob = people.bob;
  ASSERT_TRUE(eventually([&] { return ann->has("member.joined") && bob->has("hello"); }));

  shared_->setChatStalled(true);
  people.on_b->receive(1, chat("b-1", "during the failover"));
  people.on_a->receive(1, chat("a-1", "me too"));
  EXPECT_TRUE(eventually([&] { return bob->has("chat.ack", "id", "b-1"); }, 3s));
  EXPECT_TRUE(eventually([&] { return ann->has("chat.ack", "id", "a-1"); }, 3s));
  auto texts = [](RecordingOutlet& o) {
    std::set<std::string> out;
    for (const auto& f : o.all()) {
      if (f.at("type").as_string() == "chat.message") {
        out.insert(std::string(f.at("message").as_object().at("text").as_string()));
      }
    }
    return out;
  };
  const std::set<std::string> both{"during the failover", "me too"};
  EXPECT_TRUE(eventually([&] { return texts(*ann) == both && texts(*bob) == both; }, 3s));
  EXPECT_TRUE(store_->messages().page(room_, std::nullopt, 10)->empty()) << "the store is down";

  shared_->setChatStalled(false);
  ASSERT_TRUE(eventually([&] {
    return store_->messages().page(room_, std::nullopt, 10)->size() == 2;
  })) << "written to the store once it answers";
  for (const auto& f : ann->all()) {
    if (f.at("type").as_string() != "chat.message") continue;
    const auto& m = f.at("message").as_object();
    EXPECT_EQ(m.at("id").as_string(), std::to_string(m.at("seq").as_int64()))
        << "the id is the same before and after the store has the message";
  }
  people.on_a->receive(1, chat("a-2", "and on we go"));
  EXPECT_TRUE(eventually([&] { return ann->has("chat.ack", "id", "a-2"); }));
  EXPECT_TRUE(
      eventually([&] { return store_->messages().page(room_, std::nullopt, 10)->size() == 3; }));
  EXPECT_EQ(ann->closeCode(), 0);
  EXPECT_EQ(bob->closeCode(), 0);
}

// The store is slow, so a batch goes to the journal too, but the journal is slower still (its
// leader is being elected): the store's answer acknowledges the chat, without waiting for the
// journal, and the journal's late answer neither doubles the messages nor fences the owner.
TEST_F(RoomHubClusterTest, ChatIsAcknowledgedByTheStoreWhileTheJournalIsStillElectingALeader) {
  const auto people = annOnABobOnB();  // holds both links for the test
  const auto ann = people.ann;
  const auto bob = people.bob;
  ASSERT_TRUE(eventually([&] { return ann->has("member.joined") && bob->has("hello"); }));

  gate_->setAppendsHeld(true);
  shared_->setChatSlow(true);
  people.on_a->receive(1, chat("a-1", "slow store, slower journal"));
  ASSERT_TRUE(eventually([&] { return gate_->appends() == 1; }, 3s)) << "past journal_after";
  shared_->setChatSlow(false);
  EXPECT_TRUE(eventually([&] { return ann->has("chat.ack", "id", "a-1"); }, 3s))
      << "acknowledged by the store while the journal is held";
  EXPECT_TRUE(eventually([&] { return bob->has("chat.message"); }, 3s));

  gate_->setAppendsHeld(false);
  people.on_b->receive(1, chat("b-1", "and after"));
  EXPECT_TRUE(eventually([&] { return bob->has("chat.ack", "id", "b-1"); }));
  EXPECT_TRUE(
      eventually([&] { return store_->messages().page(room_, std::nullopt, 10)->size() == 2; }));
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(store_->messages().page(room_, std::nullopt, 10)->size(), 2u) << "nothing doubled";
  int messages = 0;
  for (const auto& f : ann->all()) messages += f.at("type").as_string() == "chat.message" ? 1 : 0;
  EXPECT_EQ(messages, 2);
  EXPECT_EQ(ann->closeCode(), 0) << "the late append left the owner's journal position right";
  EXPECT_EQ(bob->closeCode(), 0);

  // The journal is still the owner's to write: a stalled store now is bridged by it as before.
  shared_->setChatStalled(true);
  people.on_a->receive(1, chat("a-2", "through the journal"));
  EXPECT_TRUE(eventually([&] { return ann->has("chat.ack", "id", "a-2"); }, 3s));
  shared_->setChatStalled(false);
  EXPECT_TRUE(
      eventually([&] { return store_->messages().page(room_, std::nullopt, 10)->size() == 3; }));
  EXPECT_EQ(ann->closeCode(), 0);
}

// After a store outage the journaled messages are being written back, slowly; a new batch finds
// the store busy and goes to the journal, which is electing a leader. Once the store is free the
// batch goes there too and is acknowledged from it, not after the election.
TEST_F(RoomHubClusterTest, ABatchJournaledWhileTheStoreWasBusyIsStoredOnceTheStoreIsFree) {
  const auto people = annOnABobOnB();  // holds both links for the test
  const auto ann = people.ann;
  ASSERT_TRUE(eventually([&] { return ann->has("member.joined"); }));
  shared_->setChatStalled(true);
  people.on_a->receive(1, chat("a-1", "journaled"));
  ASSERT_TRUE(eventually([&] { return ann->has("chat.ack", "id", "a-1"); }, 3s));

  shared_->setChatSlow(true);
  shared_->setChatStalled(false);  // the stalled call fails; the next tick's write-back is slow
  ASSERT_TRUE(eventually([&] { return shared_->slowCalls() == 1; }, 3s));
  gate_->setAppendsHeld(true);
  const int appends = gate_->appends();
  people.on_a->receive(1, chat("a-2", "while the store is busy"));
  ASSERT_TRUE(eventually([&] { return gate_->appends() == appends + 1; }, 3s));
  shared_->setChatSlow(false);
  EXPECT_TRUE(eventually([&] { return ann->has("chat.ack", "id", "a-2"); }, 3s))
      << "acknowledged once the store had it, while the journal is held";
  EXPECT_TRUE(
      eventually([&] { return store_->messages().page(room_, std::nullopt, 10)->size() == 2; }));
  gate_->setAppendsHeld(false);
  people.on_a->receive(1, chat("a-3", "on we go"));
  EXPECT_TRUE(eventually([&] { return ann->has("chat.ack", "id", "a-3"); }));
  EXPECT_TRUE(
      eventually([&] { return store_->messages().page(room_, std::nullopt, 10)->size() == 3; }));
  EXPECT_EQ(ann->closeCode(), 0);
}

// The texts of the chat messages a socket was sent, in order.
std::vector<std::string> chatTexts(RecordingOutlet& o) {
  std::vector<std::string> out;
  for (const auto& f : o.all()) {
    if (f.at("type").as_string() == "chat.message") {
      out.emplace_back(f.at("message").as_object().at("text").as_string());
    }
  }
  return out;
}

// A relayed chat send lost on its way to the owner is noticed by the owner at the next one (a
// number skipped) and sent again by the edge: both are taken, in order, once.
TEST_F(RoomHubClusterTest, AFrameLostOnItsWayToTheOwnerIsSentAgainWhenTheNextRevealsTheGap) {
  const auto people = annOnABobOnB();  // holds both links for the test
  const auto ann = people.ann;
  const auto bob = people.bob;
  ASSERT_TRUE(eventually([&] { return ann->has("member.joined") && bob->has("hello"); }));
  gate_->setLosing("room.");
  people.on_b->receive(1, chat("b-1", "first"));
  ASSERT_TRUE(eventually([&] { return gate_->lost() == 1; }));
  gate_->setLosing("");
  people.on_b->receive(1, chat("b-2", "second"));
  EXPECT_TRUE(eventually(
      [&] { return bob->has("chat.ack", "id", "b-1") && bob->has("chat.ack", "id", "b-2"); }, 3s));
  EXPECT_TRUE(eventually([&] { return chatTexts(*ann).size() == 2; }, 3s));
  EXPECT_EQ(chatTexts(*ann), (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(chatTexts(*bob), (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(bob->closeCode(), 0);
}

// The last frames either way are lost while a node's bus reconnects, and nothing later reveals
// it: after the reconnect the two ends compare how far they got and send the rest again.
TEST_F(RoomHubClusterTest, WhatWasLostEitherWayWhileTheBusReconnectedArrivesOnceAfterwards) {
  const auto people = annOnABobOnB();  // holds both links for the test
  const auto ann = people.ann;
  const auto bob = people.bob;
  ASSERT_TRUE(eventually([&] { return ann->has("member.joined") && bob->has("hello"); }));
  gate_->setLosing("node.");  // the owner's frames to node b's sockets
  people.on_a->receive(1, chat("a-1", "from ann"));
  ASSERT_TRUE(eventually([&] { return ann->has("chat.ack", "id", "a-1"); }));
  gate_->setLosing("room.");  // node b's relayed frames to the owner
  people.on_b->receive(1, chat("b-1", "from bob"));
  ASSERT_TRUE(eventually([&] { return gate_->lost() >= 2; }));
  std::this_thread::sleep_for(1500ms);
  EXPECT_TRUE(chatTexts(*bob).empty()) << "nothing revealed the loss yet";
  EXPECT_FALSE(bob->has("chat.ack"));
  gate_->setLosing("");
  gate_->reconnected();
  EXPECT_TRUE(eventually([&] { return bob->has("chat.ack", "id", "b-1"); }, 3s))
      << "bob's send arrived";
  EXPECT_TRUE(
      eventually([&] { return chatTexts(*bob).size() == 2 && chatTexts(*ann).size() == 2; }, 3s));
  EXPECT_EQ(chatTexts(*bob), (std::vector<std::string>{"from ann", "from bob"}))
      << "in order, once";
  EXPECT_EQ(chatTexts(*ann), (std::vector<std::string>{"from ann", "from bob"}));
  EXPECT_EQ(store_->messages().page(room_, std::nullopt, 10)->size(), 2u);
  EXPECT_EQ(bob->closeCode(), 0);
  EXPECT_EQ(ann->closeCode(), 0);
}

// The owner dies while what it acknowledged is only in the journal: the next owner stores it
// before it numbers anything, and shows it.
TEST_F(RoomHubClusterTest, TheNextOwnerStoresWhatTheDeadOwnerAcknowledgedFromTheJournal) {
  auto on_a = a_->hub->acquire(room_, "roomaaaaaa");
  ASSERT_TRUE(on_a.ok());
  auto ann = std::make_shared<RecordingOutlet>();
  (*on_a)->connect(visitor(1, "1"), ann);
  ASSERT_TRUE(eventually([&] { return ann->has("hello"); }));
  shared_->setChatStalled(true);
  (*on_a)->receive(1, chat("a-1", "only in the journal"));
  ASSERT_TRUE(eventually([&] { return ann->has("chat.ack", "id", "a-1"); }, 3s));
  std::int64_t acked_seq = 0;
  for (const auto& f : ann->all()) {
    if (f.at("type").as_string() == "chat.ack") acked_seq = f.at("seq").as_int64();
  }

  a_->kill();
  shared_->setChatStalled(false);  // the dead node's stalled call fails with its connection
  clock_.advance(4s);
  auto again = b_->hub->acquire(room_, "roomaaaaaa");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(b_->hub->actorCount(), 1u) << "node b took the room over";
  const auto stored = store_->messages().page(room_, std::nullopt, 10).value();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].text, "only in the journal");
  EXPECT_EQ(stored[0].seq, acked_seq) << "under the number it was acknowledged with";

  auto ann2 = std::make_shared<RecordingOutlet>();
  (*again)->connect(visitor(2, "1"), ann2);
  ASSERT_TRUE(eventually([&] { return ann2->has("hello"); }));
  const auto messages = ann2->all().front().at("snapshot").as_object().at("messages").as_array();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].as_object().at("text").as_string(), "only in the journal");
  (*again)->receive(2, chat("a-1", "only in the journal"));  // the browser's resend
  ASSERT_TRUE(eventually([&] { return ann2->has("chat.ack", "id", "a-1"); }));
  EXPECT_EQ(store_->messages().page(room_, std::nullopt, 10)->size(), 1u) << "no duplicate";
  (*again)->receive(2, chat("a-2", "next"));
  ASSERT_TRUE(eventually([&] { return ann2->has("chat.ack", "id", "a-2"); }));
  const auto after = store_->messages().page(room_, std::nullopt, 10).value();
  ASSERT_EQ(after.size(), 2u);
  EXPECT_GT(after[1].seq, acked_seq) << "numbered after the replayed message";
}

// A node that relayed a room's sockets to an owner that died, and then takes the room itself,
// sends those sockets to reconnect at once (to the room now here), not when its relay notices.
TEST_F(RoomHubClusterTest, ANodeTakingTheRoomOverLetsGoOfItsRelayToTheDeadOwnerAtOnce) {
  const auto people = annOnABobOnB();  // holds both links for the test
  const auto bob = people.bob;
  ASSERT_TRUE(eventually([&] { return bob->has("hello"); }));
  a_->kill();
  clock_.advance(4s);  // past the lease; node b's relay has not looked yet (it looks each second)
  auto again = b_->hub->acquire(room_, "roomaaaaaa");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(b_->hub->actorCount(), 1u) << "node b runs the room now";
  EXPECT_EQ(bob->closeCode(), 1012) << "closed by the takeover itself, not later";
  EXPECT_EQ(b_->hub->relayCount(), 0u);
  (*again)->abandon();
}

// A connect relayed while the new owner is still loading the room (not yet listening on its inbox)
// is sent again soon: the person gets the room in well under a second, not after seconds.
TEST_F(RoomHubClusterTest, AConnectPublishedBeforeTheOwnerListensIsSentAgainSoon) {
  ASSERT_TRUE(store_->leases().acquire(roomLease(room_), "node-a", clock_.now(), 3000ms).ok());
  auto on_b = b_->hub->acquire(room_, "roomaaaaaa");  // relays to node a, which runs nothing yet
  ASSERT_TRUE(on_b.ok());
  auto bob = std::make_shared<RecordingOutlet>();
  (*on_b)->connect(visitor(1, "2"), bob);
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(bob->has("hello")) << "nobody listened to the first connect";
  auto on_a = a_->hub->acquire(room_, "roomaaaaaa");  // node a loads the room now
  ASSERT_TRUE(on_a.ok());
  EXPECT_TRUE(eventually([&] { return bob->has("hello"); }, 1200ms));
  (*on_a)->abandon();
}

}  // namespace
}  // namespace kino::realtime
