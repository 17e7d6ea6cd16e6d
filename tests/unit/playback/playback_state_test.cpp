#include "kino/playback/playback_state.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace kino::playback {
namespace {

constexpr std::int64_t kT = 1'800'000'000'000;

PlaybackState playingAt(double pos, std::int64_t at, double rate = 1) {
  PlaybackState s;
  s.playing = true;
  s.position_s = pos;
  s.at_server_ms = at;
  s.rate = rate;
  return s;
}

TEST(PlaybackStateTest, PositionAdvancesOnlyWhilePlayingAtTheRate) {
  EXPECT_DOUBLE_EQ(positionAt(playingAt(10, kT), kT + 2500), 12.5);
  EXPECT_DOUBLE_EQ(positionAt(playingAt(10, kT, 1.5), kT + 2000), 13.0);
  EXPECT_DOUBLE_EQ(positionAt(playingAt(10, kT), kT - 1000), 10.0);  // not yet in effect
  PlaybackState paused;
  paused.position_s = 42;
  paused.at_server_ms = kT;
  EXPECT_DOUBLE_EQ(positionAt(paused, kT + 99999), 42.0);
}

TEST(PlaybackStateTest, ControlsTable) {
  const PlaybackState start = playingAt(10, kT);
  struct Case {
    const char* name;
    Control control;
    bool playing;
    double position;
  } cases[] = {
      {"pause keeps the position reached", {Action::kPause, {}, {}, {}, {}}, false, 13.0},
      {"pause at a given position", {Action::kPause, 12.0, {}, {}, {}}, false, 12.0},
      {"seek while playing keeps playing", {Action::kSeek, 100.0, {}, {}, {}}, true, 100.0},
      {"play from a position", {Action::kPlay, 5.0, {}, {}, {}}, true, 5.0},
      {"volume changes nothing else", {Action::kVolume, {}, {}, 0.3, {}}, true, 13.0},
  };
  for (const auto& c : cases) {
    auto next = applyControl(start, c.control, kT + 3000, "u1", "Anna");
    ASSERT_TRUE(next.ok()) << c.name;
    EXPECT_EQ(next->playing, c.playing) << c.name;
    EXPECT_DOUBLE_EQ(next->position_s, c.position) << c.name;
    EXPECT_EQ(next->at_server_ms, kT + 3000) << c.name;
    EXPECT_EQ(next->by_name, "Anna") << c.name;
  }
}

TEST(PlaybackStateTest, RateVolumeAndMuteAreValidated) {
  const PlaybackState s;
  EXPECT_DOUBLE_EQ(applyControl(s, {Action::kRate, {}, 1.25, {}, {}}, kT, "", "")->rate, 1.25);
  EXPECT_FALSE(applyControl(s, {Action::kRate, {}, 5.0, {}, {}}, kT, "", "").ok());
  EXPECT_FALSE(applyControl(s, {Action::kRate, {}, {}, {}, {}}, kT, "", "").ok());
  EXPECT_FALSE(applyControl(s, {Action::kVolume, {}, {}, 1.5, {}}, kT, "", "").ok());
  EXPECT_TRUE(applyControl(s, {Action::kMute, {}, {}, {}, true}, kT, "", "")->muted);
  EXPECT_FALSE(applyControl(s, {Action::kMute, {}, {}, {}, {}}, kT, "", "").ok());
  EXPECT_FALSE(applyControl(s, {Action::kSeek, {}, {}, {}, {}}, kT, "", "").ok());
  EXPECT_FALSE(applyControl(s, {Action::kSeek, -1.0, {}, {}, {}}, kT, "", "").ok());
  EXPECT_FALSE(applyControl(s, {Action::kSeek, NAN, {}, {}, {}}, kT, "", "").ok());
}

TEST(PlaybackStateTest, LeadCoversTheSlowestMemberWithinBounds) {
  EXPECT_EQ(scheduleLeadMs({}), 150);            // floor
  EXPECT_EQ(scheduleLeadMs({20, 300}), 300);     // 300/2 + 150
  EXPECT_EQ(scheduleLeadMs({5000}), 500);        // ceiling
}

TEST(PlaybackStateTest, ActionNamesRoundTrip) {
  for (auto a : {Action::kPlay, Action::kPause, Action::kSeek, Action::kRate, Action::kVolume,
                 Action::kMute}) {
    EXPECT_EQ(parseAction(actionName(a)), a);
  }
  EXPECT_FALSE(parseAction("rewind"));
}

}  // namespace
}  // namespace kino::playback
