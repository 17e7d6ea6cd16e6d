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
      {R"({"type":"explode"})", "unknown_type"},
      {std::string(17000, ' '), "frame_too_large"},
  };
  for (const auto& c : cases) EXPECT_EQ(errorCode(decodeClientFrame(c.frame)), c.code) << c.frame;
}

TEST(ProtocolTest, ErrorsKeepTheClientIdWhenReadable) {
  auto d = decodeClientFrame(R"({"type":"chat.send","id":"abc"})");
  EXPECT_EQ(std::get<FrameError>(d).id, "abc");
}

TEST(ProtocolTest, MemberIdsHideGuestHashes) {
  EXPECT_EQ(memberIdFor("user:42"), "u42");
  EXPECT_EQ(memberIdFor("guest:0123456789abcdef0123"), "g0123456789ab");
}

}  // namespace
}  // namespace kino::realtime
