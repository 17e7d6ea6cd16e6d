// Floods: every client frame type has a budget per socket (and chat, playback and camera state per
// person), bursts of playback changes go out as one, and a room stores a bounded amount per minute.
#include <gtest/gtest.h>

#include "unit/realtime/room_core_fixture.hpp"

namespace kino::realtime {
namespace {

using testing::RoomPlaybackTest;
using namespace std::chrono_literals;

using RoomLimitsTest = RoomPlaybackTest;

std::size_t countType(const Effects& fx, ConnId conn, std::string_view type) {
  std::size_t n = 0;
  for (const auto& f : RoomLimitsTest::to(fx, conn)) n += f.at("type").as_string() == type;
  return n;
}

Effects merge(Effects into, Effects more) {
  for (auto& s : more.sends) into.sends.push_back(std::move(s));
  for (auto& p : more.persist_playback) into.persist_playback.push_back(std::move(p));
  for (auto& c : more.closes) into.closes.push_back(std::move(c));
  if (more.wake_at_ms) into.wake_at_ms = more.wake_at_ms;
  return into;
}

// The reported flood: one guest sends 3,000 seeks in 0.4 s. Before, that was 3,000 broadcasts and
// 3,000 stored events.
TEST_F(RoomLimitsTest, ThreeThousandSeeksInAFewHundredMillisecondsBecomeAHandfulOfBroadcasts) {
  auto core = hostAndGuest();
  Effects all;
  for (int i = 0; i < 3000; ++i) {
    if (i % 750 == 0 && i > 0) {
      clock_.advance(100ms);
      all = merge(std::move(all), core->tick());
    }
    all = merge(std::move(all), core->receive(2, R"({"type":"playback.control","action":"seek","position_s":)" +
                                                    std::to_string(i) + "}"));
  }
  clock_.advance(200ms);
  all = merge(std::move(all), core->tick());
  const auto broadcasts = countType(all, 1, "playback.state");
  EXPECT_GE(broadcasts, 1u);
  EXPECT_LE(broadcasts, 3u);  // coalesced: at most one per 200 ms window
  EXPECT_EQ(all.persist_playback.size(), broadcasts);
  // Refusals are answered once per run, not once per frame: the flood is not echoed back.
  EXPECT_LE(countType(all, 2, "error"), 5u);
  // The host saw the state the guest ended on (the last accepted seek), not 3,000 jumps.
  EXPECT_GT(core->playback().position_s, 0);
}

TEST_F(RoomLimitsTest, ABurstOfChangesGoesOutOnceWithTheLastStateAtAnInstantStillAhead) {
  auto core = hostAndGuest();
  auto first = core->receive(1, control("play"));
  EXPECT_EQ(countType(first, 2, "playback.state"), 1u);  // the first change goes out at once
  auto second = core->receive(1, control("seek", R"(,"position_s":100)"));
  auto third = core->receive(2, control("seek", R"(,"position_s":200)"));
  EXPECT_EQ(countType(second, 2, "playback.state") + countType(third, 2, "playback.state"), 0u);
  ASSERT_TRUE(third.wake_at_ms.has_value());
  EXPECT_EQ(*third.wake_at_ms, common::toUnixMillis(clock_.now()) + 200);
  clock_.advance(200ms);
  auto due = core->tick();
  auto frames = to(due, 1);
  ASSERT_EQ(frames.size(), 1u);
  const auto& state = frames[0]["state"].as_object();
  EXPECT_EQ(state.at("action"), "seek");
  EXPECT_EQ(state.at("by").at("name"), "Boris");
  EXPECT_GE(state.at("at_server_ms").as_int64(), common::toUnixMillis(clock_.now()) + 150);
  // Playing from 200 s: re-anchored later, the position moved along with the anchor.
  EXPECT_GT(state.at("position_s").as_double(), 200.0);
  EXPECT_LT(state.at("position_s").as_double(), 200.5);
  EXPECT_EQ(due.persist_playback.size(), 1u);
}

TEST_F(RoomLimitsTest, ChangesFurtherApartThanTheWindowEachGoOutAtOnce) {
  auto core = hostAndGuest();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(countType(core->receive(1, control(i % 2 ? "pause" : "play")), 2, "playback.state"), 1u);
    clock_.advance(250ms);
  }
}

TEST_F(RoomLimitsTest, OnePersonsPlaybackChangesAreLimitedAcrossTheirTabs) {
  auto core = hostAndGuest();
  core->connect(person(3, "user:2", "Boris"));  // Boris's second tab
  int refused = 0;
  for (int i = 0; i < 60; ++i) {
    clock_.advance(1ms);
    for (const auto& f : to(core->receive(i % 2 ? 2 : 3, control("seek", R"(,"position_s":1)")), i % 2 ? 2 : 3)) {
      if (f.at("type") == "error") {
        EXPECT_EQ(f.at("code"), "rate_limited");
        EXPECT_EQ(f.at("id"), "c1");
        EXPECT_GT(f.at("retry_after_ms").as_int64(), 0);
        ++refused;
      }
    }
  }
  EXPECT_EQ(refused, 60 - 40);  // control_per_10s = 40 for the person, whichever tab
  // Anna is not held up by Boris.
  EXPECT_EQ(countType(core->receive(1, control("pause")), 1, "error"), 0u);
}

TEST_F(RoomLimitsTest, PingsAndCameraTogglesHaveBudgetsToo) {
  auto core = hostAndGuest();
  std::size_t pongs = 0, errors = 0;
  for (int i = 0; i < 200; ++i) {
    auto fx = core->receive(2, R"({"type":"ping","t0":1})");
    pongs += countType(fx, 2, "pong");
    errors += countType(fx, 2, "error");
  }
  EXPECT_EQ(pongs, 60u);
  EXPECT_EQ(errors, 1u);  // one rate_limited answer for the run, then silence
  std::size_t states = 0;
  for (int i = 0; i < 100; ++i) {
    const std::string on = i % 2 ? "true" : "false";
    states += countType(core->receive(2, R"({"type":"media.state","mic":)" + on + R"(,"camera":false})"), 1,
                        "media.state");
  }
  EXPECT_LE(states, 20u);
  clock_.advance(10s);
  EXPECT_EQ(countType(core->receive(2, R"({"type":"ping","t0":2})"), 2, "pong"), 1u);  // refilled
}

TEST_F(RoomLimitsTest, BadFramesAreAnsweredAFewTimesThenIgnored) {
  auto core = hostAndGuest();
  std::size_t answered = 0;
  for (int i = 0; i < 100; ++i) answered += countType(core->receive(2, "not json"), 2, "error");
  EXPECT_EQ(answered, 20u);
}

TEST_F(RoomLimitsTest, ASocketFarOverItsFrameBudgetIsClosed) {
  auto core = hostAndGuest();
  Effects last;
  for (int i = 0; i < 601; ++i) last = core->receive(2, R"({"type":"clock.report","rtt_ms":5})");
  ASSERT_EQ(last.closes.size(), 1u);
  EXPECT_EQ(last.closes[0].conn, 2u);
  EXPECT_EQ(last.closes[0].code, 1008);
  EXPECT_TRUE(core->receive(1, R"({"type":"ping"})").closes.empty());  // the other one is fine
}

TEST_F(RoomLimitsTest, ARoomAcceptsABoundedNumberOfMessagesPerMinute) {
  FrameLimits l = limits();
  l.chat_per_10s = 1000;
  l.room_chat_per_min = 30;
  RoomCoreOptions o = options();
  o.limits = l;
  PersonLimiters generous(clock_, l);
  RoomCore core(setup(0), clock_, generous, o);
  for (ConnId c = 1; c <= 10; ++c) core.connect(person(c, "user:" + std::to_string(c), "P"));
  int kept = 0, refused = 0;
  for (int i = 0; i < 60; ++i) {
    const ConnId from = static_cast<ConnId>(i % 10 + 1);
    auto fx = core.receive(from, chat("m" + std::to_string(i), "hi"));
    for (const auto& f : to(fx, from)) refused += f.at("code") == "rate_limited";
    // Play the store: complete every batch at once.
    while (!fx.persist.empty()) {
      kept += static_cast<int>(fx.persist.size());
      fx = core.persisted(stored(fx.persist));
    }
  }
  EXPECT_EQ(kept, 30);
  EXPECT_EQ(refused, 30);
  clock_.advance(61s);
  EXPECT_EQ(core.receive(1, chat("later", "hi")).persist.size(), 1u);
}

}  // namespace
}  // namespace kino::realtime
