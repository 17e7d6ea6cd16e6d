// An ended or cancelled room: everyone is told at once (after the chat still being stored), every
// connection is closed for good, and nothing more is written.
#include <gtest/gtest.h>

#include "unit/realtime/room_core_fixture.hpp"

namespace kino::realtime {
namespace {

using testing::RoomPlaybackTest;

using RoomEndTest = RoomPlaybackTest;

const RoomEnd kOwnerEnded{"owner_ended", "2026-12-05T20:00:00Z"};

std::vector<ConnId> closedWith(const Effects& fx, int code) {
  std::vector<ConnId> out;
  for (const auto& c : fx.closes) {
    if (c.code == code) out.push_back(c.conn);
  }
  return out;
}

TEST_F(RoomEndTest, EveryoneIsToldAtOnceAndEveryConnectionIsClosedForGood) {
  auto core = hostAndGuest();
  auto fx = core->end(kOwnerEnded);
  for (ConnId conn : {ConnId{1}, ConnId{2}}) {
    auto frames = to(fx, conn);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0]["type"], "room.ended");
    EXPECT_EQ(frames[0]["seq"].as_int64(), core->lastSeq());
    EXPECT_EQ(frames[0]["room"].at("status"), "ended");
    EXPECT_EQ(frames[0]["room"].at("ended_reason"), "owner_ended");
    EXPECT_EQ(frames[0]["room"].at("ended_at"), "2026-12-05T20:00:00Z");
  }
  EXPECT_EQ(closedWith(fx, kCloseRoomEnded), (std::vector<ConnId>{1, 2}));
  EXPECT_TRUE(core->ended());
  EXPECT_TRUE(core->end(kOwnerEnded).sends.empty());  // idempotent
}

TEST_F(RoomEndTest, ChatAcceptedBeforeTheEndIsDeliveredFirstThenTheRoomCloses) {
  auto core = hostAndGuest();
  auto sent = core->receive(2, chat("m1", "last words"));
  ASSERT_EQ(sent.persist.size(), 1u);
  auto fx = core->end(kOwnerEnded);
  EXPECT_TRUE(fx.sends.empty());  // room.ended waits behind the message being stored
  EXPECT_TRUE(fx.closes.empty());
  auto done = core->persisted(stored(sent.persist));
  auto frames = to(done, 1);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0]["type"], "chat.message");
  EXPECT_EQ(frames[1]["type"], "room.ended");
  EXPECT_EQ(to(done, 2).at(1)["type"], "chat.ack");  // acked, then told
  EXPECT_EQ(closedWith(done, kCloseRoomEnded).size(), 2u);
}

TEST_F(RoomEndTest, WritesAfterTheEndAreRefusedAndNothingIsStoredOrBroadcast) {
  auto core = hostAndGuest();
  core->end(kOwnerEnded);
  auto chat_fx = core->receive(2, chat("m2", "anyone?"));
  EXPECT_TRUE(chat_fx.persist.empty());
  ASSERT_EQ(to(chat_fx, 2).size(), 1u);
  EXPECT_EQ(to(chat_fx, 2)[0]["code"], "room_ended");
  EXPECT_EQ(to(chat_fx, 2)[0]["id"], "m2");
  EXPECT_TRUE(to(chat_fx, 1).empty());

  auto seek = core->receive(1, control("seek", R"(,"position_s":10)"));
  EXPECT_TRUE(seek.persist_playback.empty());
  EXPECT_EQ(to(seek, 1).at(0)["code"], "room_ended");
  EXPECT_TRUE(to(seek, 2).empty());

  auto policy = core->receive(1, R"({"type":"room.policy","control":"host"})");
  EXPECT_FALSE(policy.persist_policy.has_value());
  auto media = core->receive(2, R"({"type":"media.join"})");
  EXPECT_TRUE(media.media_signals.empty());
  EXPECT_EQ(to(media, 2).at(0)["code"], "room_ended");
  auto state = core->receive(2, R"({"type":"media.state","mic":true,"camera":true})");
  EXPECT_EQ(to(state, 2).at(0)["code"], "room_ended");
  EXPECT_TRUE(to(state, 1).empty());
}

TEST_F(RoomEndTest, AConnectionThatArrivesAfterTheEndIsToldAndClosedWithoutAHello) {
  auto core = hostAndGuest();
  core->end({"cancelled", "2026-12-05T20:00:00Z"});
  auto fx = core->connect(person(3, "user:3", "Vera"));
  auto frames = to(fx, 3);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0]["type"], "room.ended");
  EXPECT_EQ(frames[0]["room"].at("ended_reason"), "cancelled");
  EXPECT_EQ(closedWith(fx, kCloseRoomEnded), std::vector<ConnId>{3});
  EXPECT_EQ(core->memberCount(), 2u);  // nobody was announced
}

TEST_F(RoomEndTest, ARoomLoadedAfterItEndedRefusesFromTheStart) {
  RoomSetup s = setup(12);
  s.ended = RoomEnd{"empty", "2026-12-05T19:00:00Z"};
  RoomCore core(s, clock_, people_, options());
  EXPECT_TRUE(core.ended());
  auto fx = core.connect(person(1, "user:1", "Anna"));
  EXPECT_EQ(to(fx, 1).at(0)["type"], "room.ended");
  EXPECT_EQ(to(fx, 1).at(0)["seq"], 12);
  EXPECT_EQ(closedWith(fx, kCloseRoomEnded).size(), 1u);
}

TEST_F(RoomEndTest, APlaybackChangeStillWaitingToGoOutIsSentBeforeTheEnd) {
  auto core = hostAndGuest();
  core->receive(1, control("play"));
  auto pending = core->receive(1, control("seek", R"(,"position_s":42)"));  // inside the window
  EXPECT_TRUE(pending.persist_playback.empty());
  auto fx = core->end(kOwnerEnded);
  ASSERT_EQ(fx.persist_playback.size(), 1u);  // the last change is kept in the timeline
  EXPECT_EQ(fx.persist_playback[0].action, "seek");
  auto frames = to(fx, 2);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0]["type"], "playback.state");
  EXPECT_EQ(frames[1]["type"], "room.ended");
}

}  // namespace
}  // namespace kino::realtime
