// Calls placed over two real Janus nodes (control plane on 127.0.0.1; no media flows): rooms are
// spread over the healthy nodes, a room's participants share its node, and when a node dies the
// people on it are told (media.closed) and their next media.join re-homes the room to the live node.
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
    io_thread_ = std::thread([this] { io_.run(); });
    pool_ = std::make_unique<JanusPool>(io_, random_, std::move(nodes), RelaySettings{});
    pool_->start();
  }
  void TearDown() override {
    if (pool_) pool_->stop();
    for (auto& p : processes_) p->stop();
    std::this_thread::sleep_for(100ms);
    pool_.reset();
    guard_.reset();
    io_.stop();
    if (io_thread_.joinable()) io_thread_.join();
    for (auto& p : processes_) fs::remove_all(p->settings().config_dir);
  }

  bool waitHealthy(std::size_t n, std::chrono::seconds limit = 20s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      if (pool_->healthyNodes() == n) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  std::shared_ptr<RecordingOutlet> join(std::int64_t room, realtime::ConnId conn) {
    auto outlet = std::make_shared<RecordingOutlet>();
    outlets_[conn] = outlet;
    pool_->signal({room, "room" + std::to_string(room), conn, "p" + std::to_string(conn), outlet},
                  {"media.join", {}, {}, {}, {}, 2});
    return outlet;
  }

  void rejoin(std::int64_t room, realtime::ConnId conn) {
    pool_->signal({room, "room" + std::to_string(room), conn, "p" + std::to_string(conn), outlets_[conn]},
                  {"media.join", {}, {}, {}, {}, 2});
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_{io_.get_executor()};
  std::thread io_thread_;
  common::SecureRandom random_;
  std::vector<std::unique_ptr<JanusProcess>> processes_;
  std::unique_ptr<JanusPool> pool_;
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
