// The Janus client and supervisor against a real Janus 1.1.2 (control plane on 127.0.0.1 only; no
// media flows here). Skipped when the janus binary is not installed.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <future>
#include <thread>

#include "kino/media/janus_client.hpp"
#include "kino/media/janus_process.hpp"

namespace kino::media {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class JanusClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists("/usr/bin/janus")) GTEST_SKIP() << "janus is not installed";
    dir_ = fs::temp_directory_path() / ("kino-janus-" + std::to_string(::getpid()));
    JanusSettings s;
    s.config_dir = dir_;
    s.api_secret = "test-api-secret";
    s.admin_secret = "test-admin-secret";
    s.videoroom_admin_key = "test-room-key";
    process_ = std::make_unique<JanusProcess>("janus", s);
    ASSERT_TRUE(process_->start().ok());
    io_thread_ = std::thread([this] { io_.run(); });
    client_ = std::make_unique<JanusClient>(io_, "127.0.0.1", process_->settings().ws_port,
                                            "test-api-secret");
    client_->start();
  }
  void TearDown() override {
    if (client_) client_->stop();
    if (process_) process_->stop();
    client_.reset();
    guard_.reset();
    io_.stop();
    if (io_thread_.joinable()) io_thread_.join();
    fs::remove_all(dir_);
  }

  bool waitHealthy(std::chrono::seconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      if (client_->healthy()) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

  Result<JanusMessage> call(boost::json::object req) {
    auto promise = std::make_shared<std::promise<Result<JanusMessage>>>();
    auto future = promise->get_future();
    client_->call(std::move(req), [promise](Result<JanusMessage> r) { promise->set_value(std::move(r)); });
    if (future.wait_for(15s) != std::future_status::ready) return Error::internal("no answer");
    return future.get();
  }

  fs::path dir_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_{io_.get_executor()};
  std::thread io_thread_;
  std::unique_ptr<JanusProcess> process_;
  std::unique_ptr<JanusClient> client_;
};

TEST_F(JanusClientTest, SessionsHandlesAndVideoRoomsOnARealJanus) {
  ASSERT_TRUE(waitHealthy(15s)) << "janus did not come up";
  auto session = call({{"janus", "create"}});
  ASSERT_TRUE(session.ok()) << session.error().message;
  ASSERT_EQ(session->kind, JanusKind::kSuccess);
  const auto sid = session->data_id;
  ASSERT_GT(sid, 0u);
  auto handle = call({{"janus", "attach"}, {"session_id", sid}, {"plugin", "janus.plugin.videoroom"}});
  ASSERT_TRUE(handle.ok()) << handle.error().message;
  const auto hid = handle->data_id;

  auto created = call({{"janus", "message"}, {"session_id", sid}, {"handle_id", hid},
                       {"body", {{"request", "create"}, {"room", 4242}, {"admin_key", "test-room-key"},
                                 {"publishers", 40}, {"videocodec", "vp8"}, {"audiocodec", "opus"},
                                 {"secret", "room-secret"}, {"pin", "room-pin"}}}});
  ASSERT_TRUE(created.ok()) << created.error().message;
  ASSERT_TRUE(created->plugin_data.has_value());
  EXPECT_EQ(created->plugin_data->at("videoroom"), "created");

  auto refused = call({{"janus", "message"}, {"session_id", sid}, {"handle_id", hid},
                       {"body", {{"request", "create"}, {"room", 4343}, {"admin_key", "wrong"}}}});
  ASSERT_TRUE(refused.ok());
  EXPECT_TRUE(videoroomError(*refused->plugin_data).has_value());

  auto exists = call({{"janus", "message"}, {"session_id", sid}, {"handle_id", hid},
                      {"body", {{"request", "exists"}, {"room", 4242}}}});
  ASSERT_TRUE(exists.ok());
  EXPECT_EQ(exists->plugin_data->at("exists"), true);

  auto keepalive = call({{"janus", "keepalive"}, {"session_id", sid}});
  ASSERT_TRUE(keepalive.ok()) << keepalive.error().message;
  EXPECT_EQ(keepalive->kind, JanusKind::kAck);

  auto missing = call({{"janus", "keepalive"}, {"session_id", 1}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "janus_error");  // 458 Could not find session

  ASSERT_TRUE(call({{"janus", "destroy"}, {"session_id", sid}}).ok());
}

TEST_F(JanusClientTest, ADeadJanusIsRestartedAndTheClientReconnects) {
  ASSERT_TRUE(waitHealthy(15s));
  const int first = process_->pid();
  ASSERT_GT(first, 0);
  ::kill(first, SIGKILL);
  const auto until = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < until &&
         (process_->restarts() < 1 || process_->pid() == 0 || process_->pid() == first)) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_GE(process_->restarts(), 1);
  EXPECT_NE(process_->pid(), first);
  ASSERT_TRUE(waitHealthy(20s)) << "the client did not reconnect";
  EXPECT_TRUE(call({{"janus", "create"}}).ok());
}

TEST_F(JanusClientTest, AWrongApiSecretIsRefused) {
  ASSERT_TRUE(waitHealthy(15s));
  JanusClient stranger(io_, "127.0.0.1", process_->settings().ws_port, "not-the-secret");
  stranger.start();
  std::this_thread::sleep_for(500ms);
  auto promise = std::make_shared<std::promise<Result<JanusMessage>>>();
  auto future = promise->get_future();
  stranger.call({{"janus", "create"}}, [promise](Result<JanusMessage> r) { promise->set_value(std::move(r)); });
  ASSERT_EQ(future.wait_for(15s), std::future_status::ready);
  auto r = future.get();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("403"), std::string::npos) << r.error().message;
  stranger.stop();
}

}  // namespace
}  // namespace kino::media
