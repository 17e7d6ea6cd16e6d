#pragma once
// The room core driven over in-memory connections: frames in, effects out, no sockets, no sleeps.
// Shared by the room core test files.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "fakes/fake_clock.hpp"
#include "kino/realtime/room_core.hpp"

namespace kino::realtime::testing {

using boost::json::object;
using namespace std::chrono_literals;

// Helpers are public so that test files' free functions can use them too.
class RoomCoreTest : public ::testing::Test {
 public:
  RoomCoreTest() : people_(clock_, limits()) {}

  // The fixture's limits: 5 chat messages per person per 10 s, the rest as configured by default.
  static FrameLimits limits() {
    FrameLimits l;
    l.chat_per_10s = 5;
    return l;
  }
  static RoomCoreOptions options() {
    RoomCoreOptions o;
    o.limits = limits();
    return o;
  }

  static RoomSetup setup(std::int64_t last_seq, std::vector<storage::MessageRecord> recent = {},
                         std::int64_t first_free = 0, std::int64_t reserved = 0) {
    RoomSetup s;
    s.room_id = 7;
    s.last_seq = last_seq;
    s.first_free_seq = first_free ? first_free : last_seq + 1;
    s.reserved_until = reserved ? reserved : s.first_free_seq + 1'000'000;
    s.recent = std::move(recent);
    return s;
  }

  std::unique_ptr<RoomCore> makeCore(std::int64_t last_seq = 0,
                                     std::vector<storage::MessageRecord> recent = {}) {
    return std::make_unique<RoomCore>(setup(last_seq, std::move(recent)), clock_, people_, options());
  }

  Connect person(ConnId conn, std::string principal, std::string name,
                 std::optional<std::int64_t> resume_from = std::nullopt) {
    Connect c;
    c.conn = conn;
    c.participant_id = "p" + std::to_string(conn);
    c.principal = principal;
    c.member = {principal == "user:1" ? "u1" : "u" + principal.substr(5), name, std::nullopt};
    c.room = object{{"slug", "abc"}};
    c.resume_from = resume_from;
    return c;
  }

  // Frames addressed to `conn` in `fx`, parsed.
  static std::vector<object> to(const Effects& fx, ConnId conn) {
    std::vector<object> out;
    for (const auto& [c, f] : fx.sends) {
      if (c == conn) out.push_back(boost::json::parse(*f).as_object());
    }
    return out;
  }

  // Completes a persist batch as the store would.
  static Result<std::vector<storage::MessageRecord>> stored(const std::vector<storage::NewMessage>& b,
                                                           std::int64_t first_id = 1) {
    std::vector<storage::MessageRecord> out;
    for (const auto& n : b) {
      out.push_back({first_id++, n.room_id, n.seq, n.principal, n.author_name, n.client_id, n.text,
                     n.sent_at, false});
    }
    return out;
  }

  static std::string chat(std::string id, std::string text) {
    return R"({"type":"chat.send","id":")" + id + R"(","text":")" + text + R"("})";
  }

  kino::testing::FakeClock clock_;
  PersonLimiters people_;
};

class RoomPlaybackTest : public RoomCoreTest {
 public:
  static std::string control(const std::string& action, const std::string& extra = "") {
    return R"({"type":"playback.control","id":"c1","action":")" + action + "\"" + extra + "}";
  }
  // A room with its host Anna on connection 1 and Boris on connection 2.
  std::unique_ptr<RoomCore> hostAndGuest() {
    auto core = makeCore();
    auto host = person(1, "user:1", "Anna");
    host.is_owner = true;
    core->connect(host);
    core->connect(person(2, "user:2", "Boris"));
    return core;
  }
};

}  // namespace kino::realtime::testing
