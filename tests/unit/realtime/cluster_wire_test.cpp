#include "kino/realtime/cluster_wire.hpp"

#include <gtest/gtest.h>

namespace kino::realtime {
namespace {

TEST(ClusterWireTest, EveryKindSurvivesTheTripAcrossTheBus) {
  ToOwner c{ToOwner::Kind::kConnect, "node-b", 42, {}, {}, {}, {}, {}};
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

  auto frame = decodeToOwner(encode(ToOwner{
      ToOwner::Kind::kFrame, "n", 1, {}, R"({"type":"ping"})", {}, {}, {7, 3, false, false}}));
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ(frame->text, R"({"type":"ping"})");
  EXPECT_EQ(frame->link.n, 7u);
  EXPECT_EQ(frame->link.have, 3u);
  auto link = decodeToOwner(
      encode(ToOwner{ToOwner::Kind::kLink, "n", 1, {}, {}, {}, {}, {0, 12, true, true}}));
  ASSERT_TRUE(link.ok());
  EXPECT_EQ(link->kind, ToOwner::Kind::kLink);
  EXPECT_EQ(link->link.have, 12u);
  EXPECT_TRUE(link->link.resend);
  EXPECT_TRUE(link->link.reply);
  auto end = decodeToOwner(
      encode(ToOwner{ToOwner::Kind::kEnd, "n", 0, {}, {}, {}, {"cancelled", "t"}, {}}));
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(end->end.reason, "cancelled");

  auto close = decodeToEdge(encode(ToEdge{ToEdge::Kind::kClose, 9, {}, 4410, "room_ended", {}}));
  ASSERT_TRUE(close.ok());
  EXPECT_EQ(close->code, 4410);
  EXPECT_EQ(close->reason, "room_ended");
  EXPECT_EQ(close->link.n, 0u) << "not numbered";
  auto edge_frame =
      decodeToEdge(encode(ToEdge{ToEdge::Kind::kFrame, 9, "{}", 1000, {}, {5, 2, false, false}}));
  ASSERT_TRUE(edge_frame.ok());
  EXPECT_EQ(edge_frame->text, "{}");
  EXPECT_EQ(edge_frame->link.n, 5u);
  EXPECT_EQ(edge_frame->link.have, 2u);
  auto edge_link =
      decodeToEdge(encode(ToEdge{ToEdge::Kind::kLink, 9, {}, 1000, {}, {0, 4, true, false}}));
  ASSERT_TRUE(edge_link.ok());
  EXPECT_EQ(edge_link->kind, ToEdge::Kind::kLink);
  EXPECT_EQ(edge_link->link.have, 4u);
  EXPECT_TRUE(edge_link->link.resend);
  EXPECT_FALSE(edge_link->link.reply);
}

TEST(ClusterWireTest, MalformedMessagesAreRefused) {
  for (const char* bad : {"", "[]", "{}", R"({"kind":"connect","node":"n","conn":1})",
                          R"({"kind":"frame","node":"n","conn":-1,"text":"x"})",
                          R"({"kind":"explode","node":"n","conn":1})",
                          R"({"kind":"frame","node":5,"conn":1,"text":"x"})",
                          R"({"kind":"frame","node":"n","conn":1,"text":"x","n":-1})",
                          R"({"kind":"link","node":"n","conn":1,"have":1,"resend":"yes"})"}) {
    auto r = decodeToOwner(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "cluster_malformed");
  }
  for (const char* bad :
       {"{}", R"({"kind":"close","conn":1,"code":99,"reason":""})", R"({"kind":"frame","conn":1})",
        R"({"kind":"link","conn":1,"have":"x"})"}) {
    EXPECT_FALSE(decodeToEdge(bad).ok()) << bad;
  }
}

TEST(ClusterWireTest, SubjectsAndLeaseNames) {
  EXPECT_EQ(roomInbox(42), "room.42.in");
  EXPECT_EQ(nodeInbox("kino-1"), "node.kino-1.out");
  EXPECT_EQ(roomLease(42), "room:42");
  EXPECT_EQ(nodeLease("kino-1"), "node:kino-1");
  EXPECT_EQ(roomJournal(42), "durable.journal.room.42");
}

TEST(ClusterWireTest, AJournalBatchKeepsEveryFieldToTheMicrosecond) {
  const common::TimePoint at =
      common::fromUnixMillis(1'796'000'000'123) + std::chrono::microseconds(456);
  const std::vector<storage::NewMessage> batch{
      {7, 41, "user:3", "Ann", "c-1", "hello \"there\" \u00e9", at},
      {7, 42, "guest:ab", "Bob", "c-2", "second", at + std::chrono::seconds(1)}};
  auto back = decodeJournalBatch(encodeJournalBatch(batch));
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_EQ(back->size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& a = batch[i];
    const auto& b = (*back)[i];
    EXPECT_EQ(b.room_id, a.room_id);
    EXPECT_EQ(b.seq, a.seq);
    EXPECT_EQ(b.principal, a.principal);
    EXPECT_EQ(b.author_name, a.author_name);
    EXPECT_EQ(b.client_id, a.client_id);
    EXPECT_EQ(b.text, a.text);
    EXPECT_EQ(b.sent_at, a.sent_at);
  }
  for (const char* bad :
       {"", "{}", "[1]", R"([{"room":7,"seq":1}])",
        R"([{"room":7,"seq":"1","by":"u","name":"n","client_id":"c","text":"t","sent_us":1}])"}) {
    auto r = decodeJournalBatch(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "cluster_malformed");
  }
}

}  // namespace
}  // namespace kino::realtime
