#include "kino/realtime/cluster_wire.hpp"

#include <gtest/gtest.h>

namespace kino::realtime {
namespace {

TEST(ClusterWireTest, EveryKindSurvivesTheTripAcrossTheBus) {
  ToOwner c{ToOwner::Kind::kConnect, "node-b", 42, {}, {}, {}, {}};
  c.connect.participant_id = "p1";
  c.connect.principal = "guest:ab12";
  c.connect.member = {"gab12", "Gus «the» guest", std::nullopt};
  c.connect.room = {{"slug", "abcdefghij"}, {"title", "Film"}};
  c.connect.resume_from = 17;
  c.connect.is_owner = true;
  auto back = decodeToOwner(encode(c));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->kind, ToOwner::Kind::kConnect);
  EXPECT_EQ(back->node, "node-b");
  EXPECT_EQ(back->conn, 42u);
  EXPECT_EQ(back->connect.conn, 42u);
  EXPECT_EQ(back->connect.member.name, "Gus «the» guest");
  EXPECT_FALSE(back->connect.member.user_id);
  EXPECT_EQ(back->connect.room.at("title").as_string(), "Film");
  EXPECT_EQ(back->connect.resume_from, 17);
  EXPECT_TRUE(back->connect.is_owner);

  auto frame = decodeToOwner(encode(ToOwner{ToOwner::Kind::kFrame, "n", 1, {}, R"({"type":"ping"})", {}, {}}));
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ(frame->text, R"({"type":"ping"})");
  auto end = decodeToOwner(encode(ToOwner{ToOwner::Kind::kEnd, "n", 0, {}, {}, {}, {"cancelled", "t"}}));
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(end->end.reason, "cancelled");

  auto close = decodeToEdge(encode(ToEdge{ToEdge::Kind::kClose, 9, {}, 4410, "room_ended"}));
  ASSERT_TRUE(close.ok());
  EXPECT_EQ(close->code, 4410);
  EXPECT_EQ(close->reason, "room_ended");
  auto edge_frame = decodeToEdge(encode(ToEdge{ToEdge::Kind::kFrame, 9, "{}", 1000, {}}));
  ASSERT_TRUE(edge_frame.ok());
  EXPECT_EQ(edge_frame->text, "{}");
}

TEST(ClusterWireTest, MalformedMessagesAreRefused) {
  for (const char* bad : {"", "[]", "{}", R"({"kind":"connect","node":"n","conn":1})",
                          R"({"kind":"frame","node":"n","conn":-1,"text":"x"})",
                          R"({"kind":"explode","node":"n","conn":1})",
                          R"({"kind":"frame","node":5,"conn":1,"text":"x"})"}) {
    auto r = decodeToOwner(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "cluster_malformed");
  }
  for (const char* bad : {"{}", R"({"kind":"close","conn":1,"code":99,"reason":""})",
                          R"({"kind":"frame","conn":1})"}) {
    EXPECT_FALSE(decodeToEdge(bad).ok()) << bad;
  }
}

TEST(ClusterWireTest, SubjectsAndLeaseNames) {
  EXPECT_EQ(roomInbox(42), "room.42.in");
  EXPECT_EQ(nodeInbox("kino-1"), "node.kino-1.out");
  EXPECT_EQ(roomLease(42), "room:42");
  EXPECT_EQ(nodeLease("kino-1"), "node:kino-1");
}

}  // namespace
}  // namespace kino::realtime
