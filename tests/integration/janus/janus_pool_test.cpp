// Calls placed over two real Janus nodes (control plane on 127.0.0.1; no media flows): rooms are
// spread over the healthy nodes, a room's participants share its node, and when a node dies the
// people on it are told (media.closed) and their next media.join re-homes the room to the live
// node. Two pools (two Kino nodes) sharing one placement book put a room's call on one node
// whatever their own loads say, and move it together when that node dies.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

#include <filesystem>
#include <mutex>
#include <thread>

#include "kino/common/random.hpp"
#include "kino/media/janus_pool.hpp"
#include "kino/media/janus_process.hpp"

namespace kino::media {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Collects what the relay sends to one connection.
class RecordingOutlet final : public realtime::Outlet {
 public:
  void deliver(realtime::Frame frame) override {
    std::lock_guard lock(mu_);
    types_.push_back(std::string(boost::json::parse(*frame).as_object().at("type").as_string()));
  }
  void close(int, std::string) override {}
  // Waits until a frame of `type` arrived after the first `from` frames; returns its index or -1.
  int waitFor(const std::string& type, std::size_t from = 0, std::chrono::seconds limit = 15s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      {
        std::lock_guard lock(mu_);
        for (std::size_t i = from; i < types_.size(); ++i) {
          if (types_[i] == type) return static_cast<int>(i);
        }
      }
      std::this_thread::sleep_for(20ms);
    }
    return -1;
  }
  std::size_t count() {
    std::lock_guard lock(mu_);
    return types_.size();
  }

 private:
  std::mutex mu_;
  std::vector<std::string> types_;
};

// A PlacementBook in memory, shared by the pools of a test as the store's would be by Kino nodes.
class MemoryBook {
 public:
  PlacementBook book() {
    PlacementBook b;
    b.place = [this](std::int64_t room, const std::string& node) -> Result<std::string> {
      std::lock_guard lock(mu_);
      return rooms_.try_emplace(room, node).first->second;
    };
    b.move = [this](std::int64_t room, const std::string& from,
                    const std::string& to) -> Result<std::string> {
      std::lock_guard lock(mu_);
      auto [it, added] = rooms_.try_emplace(room, to);
      if (!added && it->second == from) it->second = to;
      return it->second;
    };
    b.forget = [this](std::int64_t room, const std::string& node) -> Result<void> {
      std::lock_guard lock(mu_);
      if (auto it = rooms_.find(room); it != rooms_.end() && it->second == node) rooms_.erase(it);
      return success();
    };
    return b;
  }
  std::optional<std::string> recorded(std::int64_t room) {
    std::lock_guard lock(mu_);
    auto it = rooms_.find(room);
    if (it == rooms_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::mutex mu_;
  std::map<std::int64_t, std::string> rooms_;
};

class JanusPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists("/usr/bin/janus")) GTEST_SKIP() << "janus is not installed";
    std::vector<JanusNode> nodes;
    for (int i = 0; i < 2; ++i) {
      JanusSettings s;
      s.config_dir = fs::temp_directory_path() /
                     ("kino-janus-pool-" + std::to_string(::getpid()) + "-" + std::to_string(i));
      s.api_secret = "pool-secret";
      s.admin_secret = "pool-admin";
      s.videoroom_admin_key = "pool-room-key";
      s.ice_interface = "lo";  // Janus skips loopback: it binds nothing else
      processes_.push_back(std::make_unique<JanusProcess>("janus", s));
      ASSERT_TRUE(processes_.back()->start().ok());
      nodes.push_back({"127.0.0.1", processes_.back()->settings().ws_port, "pool-secret", "pool-room-key"});
    }
    nodes_ = nodes;
    io_thread_ = std::thread([this] { io_.run(); });
    pool_ = std::make_unique<JanusPool>(io_, random_, std::move(nodes), RelaySettings{});
    pool_->start();
  }
  void TearDown() override {
    if (pool_) pool_->stop();
    if (other_) other_->stop();
    std::this_thread::sleep_for(50ms);
    other_.reset();
    for (auto& p : processes_) p->stop();
    std::this_thread::sleep_for(100ms);
    pool_.reset();
    guard_.reset();
    io_.stop();
    if (io_thread_.joinable()) io_thread_.join();
    for (auto& p : processes_) fs::remove_all(p->settings().config_dir);
  }

  bool waitHealthy(std::size_t n, std::chrono::seconds limit = 20s, JanusPool* pool = nullptr) {
    if (!pool) pool = pool_.get();
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      if (pool->healthyNodes() == n) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  // Replaces the test's pool by one using `book`, and adds a second pool (another Kino node) on the
  // same Janus nodes with the same book.
  void shareBook(const PlacementBook& book) {
    pool_->stop();
    std::this_thread::sleep_for(50ms);
    pool_ = std::make_unique<JanusPool>(io_, random_, nodes_, RelaySettings{}, book);
    other_ = std::make_unique<JanusPool>(io_, random_, nodes_, RelaySettings{}, book);
    pool_->start();
    other_->start();
  }

  std::shared_ptr<RecordingOutlet> join(std::int64_t room, realtime::ConnId conn,
                                        JanusPool* pool = nullptr) {
    auto outlet = std::make_shared<RecordingOutlet>();
    outlets_[conn] = outlet;
    (pool ? pool : pool_.get())
        ->signal({room, "room" + std::to_string(room), conn, "p" + std::to_string(conn), outlet},
                 {"media.join", {}, {}, {}, {}, 2});
    return outlet;
  }

  void rejoin(std::int64_t room, realtime::ConnId conn, JanusPool* pool = nullptr) {
    (pool ? pool : pool_.get())
        ->signal(
            {room, "room" + std::to_string(room), conn, "p" + std::to_string(conn), outlets_[conn]},
            {"media.join", {}, {}, {}, {}, 2});
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_{io_.get_executor()};
  std::thread io_thread_;
  common::SecureRandom random_;
  std::vector<std::unique_ptr<JanusProcess>> processes_;
  std::vector<JanusNode> nodes_;
  MemoryBook memory_;  // outlives the pools: their placement threads may still call it in TearDown
  std::unique_ptr<JanusPool> pool_;
  std::unique_ptr<JanusPool> other_;
  std::map<realtime::ConnId, std::shared_ptr<RecordingOutlet>> outlets_;
};

TEST_F(JanusPoolTest, SpreadsRoomsKeepsARoomTogetherAndReHomesWhenANodeDies) {
  ASSERT_TRUE(waitHealthy(2)) << "both Janus nodes up";
  auto a = join(1, 101);
  ASSERT_GE(a->waitFor("media.ready"), 0);
  auto b = join(2, 201);
  ASSERT_GE(b->waitFor("media.ready"), 0);
  ASSERT_TRUE(pool_->nodeOf(1) && pool_->nodeOf(2));
  EXPECT_NE(*pool_->nodeOf(1), *pool_->nodeOf(2)) << "two calls on two idle nodes";
  auto c = join(1, 102);
  ASSERT_GE(c->waitFor("media.ready"), 0);
  const std::size_t first = *pool_->nodeOf(1);

  // The node of room 1 goes away for good: both people in that call are told.
  processes_[first]->stop();
  ASSERT_GE(a->waitFor("media.closed"), 0);
  ASSERT_GE(c->waitFor("media.closed"), 0);
  ASSERT_TRUE(waitHealthy(1));
  // Joining again moves the room to the node that is left; both land there together.
  const std::size_t before_a = a->count();
  rejoin(1, 101);
  ASSERT_GE(a->waitFor("media.ready", before_a), 0);
  const std::size_t before_c = c->count();
  rejoin(1, 102);
  ASSERT_GE(c->waitFor("media.ready", before_c), 0);
  EXPECT_EQ(*pool_->nodeOf(1), 1 - first);
  EXPECT_EQ(*pool_->nodeOf(2), 1 - first) << "room 2 stayed where it was";

  // Everyone leaves: the placement is forgotten.
  for (realtime::ConnId conn : {101, 102, 201}) pool_->leave(conn);
  EXPECT_FALSE(pool_->nodeOf(1).has_value());
  EXPECT_FALSE(pool_->nodeOf(2).has_value());
}

TEST_F(JanusPoolTest, TwoKinoNodesSharingABookPutARoomsCallOnOneJanusNodeAndMoveItTogether) {
  MemoryBook& memory = memory_;
  shareBook(memory.book());
  JanusPool& a = *pool_;
  JanusPool& b = *other_;
  ASSERT_TRUE(waitHealthy(2, 20s, &a) && waitHealthy(2, 20s, &b)) << "both Janus nodes up";
  // b has a call of its own on a node; a, with none, puts room 1 on the same (the first of two
  // idle nodes), so b alone would put room 1 on the other node.
  auto own = join(3, 301, &b);
  ASSERT_GE(own->waitFor("media.ready"), 0);
  const std::size_t busy = *b.nodeOf(3);
  auto first = join(1, 101, &a);
  ASSERT_GE(first->waitFor("media.ready"), 0);
  const std::size_t home = *a.nodeOf(1);
  ASSERT_EQ(home, busy);
  EXPECT_EQ(memory.recorded(1), a.nodeName(home));
  auto second = join(1, 102, &b);  // e.g. room 1's new owner after a failover of a
  ASSERT_GE(second->waitFor("media.ready"), 0);
  EXPECT_EQ(*b.nodeOf(1), home) << "b uses the room's recorded node, not its least loaded one";

  // The room's node dies: whoever rejoins first moves the room, the other follows.
  processes_[home]->stop();
  ASSERT_GE(first->waitFor("media.closed"), 0);
  ASSERT_GE(second->waitFor("media.closed"), 0);
  ASSERT_TRUE(waitHealthy(1, 20s, &a) && waitHealthy(1, 20s, &b));
  const std::size_t before_b = second->count();
  rejoin(1, 102, &b);
  ASSERT_GE(second->waitFor("media.ready", before_b), 0);
  EXPECT_EQ(*b.nodeOf(1), 1 - home);
  EXPECT_EQ(memory.recorded(1), b.nodeName(1 - home));
  const std::size_t before_a = first->count();
  rejoin(1, 101, &a);
  ASSERT_GE(first->waitFor("media.ready", before_a), 0);
  EXPECT_EQ(*a.nodeOf(1), 1 - home) << "a follows the move";

  // Everyone leaves: the placement is forgotten.
  a.leave(101);
  b.leave(102);
  b.leave(301);
  for (int i = 0; i < 100 && memory.recorded(1); ++i) std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(memory.recorded(1).has_value());
}

TEST(JanusNodesTest, ParsesHostPortListsAndRefusesBadEntries) {
  auto nodes = parseJanusNodes(" 10.0.0.5:8188, janus-2.internal:8189 ,", "s", "k");
  ASSERT_TRUE(nodes.ok());
  ASSERT_EQ(nodes->size(), 2u);
  EXPECT_EQ((*nodes)[0].host, "10.0.0.5");
  EXPECT_EQ((*nodes)[0].port, 8188);
  EXPECT_EQ((*nodes)[1].host, "janus-2.internal");
  EXPECT_EQ((*nodes)[1].api_secret, "s");
  EXPECT_EQ((*nodes)[1].videoroom_admin_key, "k");
  EXPECT_FALSE(parseJanusNodes("10.0.0.5", "", "").ok());
  EXPECT_FALSE(parseJanusNodes("10.0.0.5:http", "", "").ok());
  EXPECT_FALSE(parseJanusNodes("10.0.0.5:70000", "", "").ok());
  EXPECT_FALSE(parseJanusNodes(":8188", "", "").ok());
}

}  // namespace
}  // namespace kino::media
