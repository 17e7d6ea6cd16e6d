#include "kino/realtime/protocol.hpp"

#include <gtest/gtest.h>

namespace kino::realtime {
namespace {

std::string errorCode(const Decoded& d) {
  auto* e = std::get_if<FrameError>(&d);
  return e ? e->code : "";
}

TEST(ProtocolTest, DecodesChatSendAndPing) {
  auto d = decodeClientFrame(R"({"type":"chat.send","id":"m-1","text":"hi"})");
  ASSERT_TRUE(std::holds_alternative<ChatSend>(d));
  EXPECT_EQ(std::get<ChatSend>(d).id, "m-1");
  EXPECT_EQ(std::get<ChatSend>(d).text, "hi");
  auto p = decodeClientFrame(R"({"type":"ping","t0":12.5})");
  ASSERT_TRUE(std::holds_alternative<Ping>(p));
  EXPECT_DOUBLE_EQ(std::get<Ping>(p).t0, 12.5);
}

TEST(ProtocolTest, RefusalsTable) {
  struct Case { std::string frame; std::string code; } cases[] = {
      {"", "malformed_frame"},
      {"not json", "malformed_frame"},
      {"[1,2]", "malformed_frame"},
      {R"("text")", "malformed_frame"},
      {R"({"type":"chat.send","id":"a"})", "invalid_request"},
      {R"({"type":"chat.send","text":"x"})", "invalid_request"},
      {R"({"type":"chat.send","id":"a b","text":"x"})", "invalid_request"},
      {R"({"type":"chat.send","id":7,"text":"x"})", "invalid_request"},
      {R"({"type":"chat.send","id":"a","text":5})", "invalid_request"},
      {R"({"id":"a"})", "invalid_request"},
      {R"({"type":"ping","t0":"now"})", "invalid_request"},
      // 1e400 parses as infinity, which a pong could not carry back as JSON.
      {R"({"type":"ping","t0":1e400})", "invalid_request"},
      {R"({"type":"ping","t0":-1e400})", "invalid_request"},
      {R"({"type":"ping","t0":1e300})", "invalid_request"},
      {R"({"type":"clock.report","rtt_ms":1e400})", "invalid_request"},
      {R"({"type":"explode"})", "unknown_type"},
      {std::string(kMaxFrameBytes + 1, ' '), "frame_too_large"},
      {R"({"type":"media.state","mic":true})", "invalid_request"},
      {R"({"type":"media.state","mic":1,"camera":false})", "invalid_request"},
      {R"({"type":"media.publish"})", "invalid_request"},
      {R"({"type":"media.publish","jsep":{"type":"answer","sdp":"v=0"}})", "invalid_request"},
      {R"({"type":"media.publish","jsep":{"type":"offer","sdp":""}})", "invalid_request"},
      {R"({"type":"media.answer","jsep":{"type":"offer","sdp":"v=0"}})", "invalid_request"},
      {R"({"type":"media.trickle","candidate":null})", "invalid_request"},
      {R"({"type":"media.trickle","target":"x","candidate":null})", "invalid_request"},
      {R"({"type":"media.trickle","target":"publisher","candidate":{"sdpMid":"0"}})", "invalid_request"},
      {R"({"type":"media.trickle","target":"publisher","candidate":{"candidate":"c","sdpMLineIndex":-1}})", "invalid_request"},
      {R"({"type":"media.explode"})", "unknown_type"},
      {R"({"type":"media.quality","participant_id":"p1","quality":"best"})", "invalid_request"},
      {R"({"type":"media.quality","quality":"low"})", "invalid_request"},
  };
  for (const auto& c : cases) EXPECT_EQ(errorCode(decodeClientFrame(c.frame)), c.code) << c.frame;
}

TEST(ProtocolTest, NumbersBeyondDoubleRangeNeverReachTheRoom) {
  auto seek = decodeClientFrame(R"({"type":"playback.control","action":"seek","position_s":1e400})");
  ASSERT_TRUE(std::holds_alternative<PlaybackCommand>(seek));
  EXPECT_FALSE(std::get<PlaybackCommand>(seek).control.position_s.has_value());  // refused later
  auto ping = decodeClientFrame(R"({"type":"ping","t0":1733430000000.25})");
  ASSERT_TRUE(std::holds_alternative<Ping>(ping));
  EXPECT_DOUBLE_EQ(std::get<Ping>(ping).t0, 1733430000000.25);
}

TEST(ProtocolTest, ErrorsKeepTheClientIdWhenReadable) {
  auto d = decodeClientFrame(R"({"type":"chat.send","id":"abc"})");
  EXPECT_EQ(std::get<FrameError>(d).id, "abc");
}

TEST(ProtocolTest, MemberIdsHideGuestHashes) {
  EXPECT_EQ(memberIdFor("user:42"), "u42");
  EXPECT_EQ(memberIdFor("guest:0123456789abcdef0123"), "g0123456789ab");
}


TEST(ProtocolTest, MediaFramesAreDecodedAndCleaned) {
  auto state = decodeClientFrame(R"({"type":"media.state","mic":true,"camera":false})");
  ASSERT_TRUE(std::holds_alternative<MediaStateReport>(state));
  EXPECT_TRUE(std::get<MediaStateReport>(state).mic);
  EXPECT_FALSE(std::get<MediaStateReport>(state).camera);

  auto join = decodeClientFrame(R"({"type":"media.join"})");
  ASSERT_TRUE(std::holds_alternative<MediaSignal>(join));
  EXPECT_EQ(std::get<MediaSignal>(join).type, "media.join");

  auto publish = decodeClientFrame(R"({"type":"media.publish","jsep":{"type":"offer","sdp":"v=0\r\n"}})");
  ASSERT_TRUE(std::holds_alternative<MediaSignal>(publish));
  EXPECT_EQ(std::get<MediaSignal>(publish).sdp, "v=0\r\n");

  // Only the three candidate fields are kept; anything else the client adds is dropped.
  auto trickle = decodeClientFrame(
      R"({"type":"media.trickle","target":"subscriber","candidate":{"candidate":"candidate:1","sdpMid":"0","sdpMLineIndex":0,"x":1}})");
  ASSERT_TRUE(std::holds_alternative<MediaSignal>(trickle));
  const auto& t = std::get<MediaSignal>(trickle);
  EXPECT_EQ(t.target, "subscriber");
  ASSERT_TRUE(t.candidate.has_value());
  EXPECT_EQ(t.candidate->size(), 3u);
  EXPECT_FALSE(t.candidate->contains("x"));

  auto quality = decodeClientFrame(R"({"type":"media.quality","participant_id":"p1","quality":"low"})");
  ASSERT_TRUE(std::holds_alternative<MediaSignal>(quality));
  EXPECT_EQ(std::get<MediaSignal>(quality).participant_id, "p1");
  EXPECT_EQ(std::get<MediaSignal>(quality).substream, 0);

  auto end = decodeClientFrame(R"({"type":"media.trickle","target":"publisher","candidate":null})");
  ASSERT_TRUE(std::holds_alternative<MediaSignal>(end));
  EXPECT_FALSE(std::get<MediaSignal>(end).candidate.has_value());
}

}  // namespace
}  // namespace kino::realtime
