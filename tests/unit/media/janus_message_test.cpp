#include "kino/media/janus_message.hpp"

#include <gtest/gtest.h>

namespace kino::media {
namespace {

TEST(JanusMessageTest, ReadsTheKindsKinoRelies) {
  auto success = parseJanusMessage(R"({"janus":"success","transaction":"t1","data":{"id":4201}})");
  ASSERT_TRUE(success.ok());
  EXPECT_EQ(success->kind, JanusKind::kSuccess);
  EXPECT_EQ(success->transaction, "t1");
  EXPECT_EQ(success->data_id, 4201u);

  auto event = parseJanusMessage(
      R"({"janus":"event","session_id":1,"sender":7301,"transaction":"t2",)"
      R"("plugindata":{"plugin":"janus.plugin.videoroom","data":{"videoroom":"joined","id":111}},)"
      R"("jsep":{"type":"answer","sdp":"v=0"}})");
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->kind, JanusKind::kEvent);
  EXPECT_EQ(event->sender, 7301u);
  EXPECT_EQ(event->plugin_data->at("videoroom"), "joined");
  EXPECT_EQ(event->jsep->at("type"), "answer");

  auto error = parseJanusMessage(
      R"({"janus":"error","transaction":"t3","error":{"code":458,"reason":"Could not find session"}})");
  EXPECT_EQ(error->kind, JanusKind::kError);
  EXPECT_EQ(error->error_code, 458);
  EXPECT_EQ(error->error_reason, "Could not find session");

  auto media = parseJanusMessage(
      R"({"janus":"media","session_id":1,"sender":2,"type":"video","receiving":false})");
  EXPECT_EQ(media->kind, JanusKind::kMedia);
  EXPECT_FALSE(media->receiving);
  EXPECT_EQ(media->media_type, "video");

  auto hangup = parseJanusMessage(R"({"janus":"hangup","session_id":1,"sender":2,"reason":"ICE failed"})");
  EXPECT_EQ(hangup->kind, JanusKind::kHangup);
  EXPECT_EQ(hangup->reason, "ICE failed");
  EXPECT_EQ(parseJanusMessage(R"({"janus":"brand-new"})")->kind, JanusKind::kOther);
}

TEST(JanusMessageTest, RefusesMalformedReplies) {
  struct Case {
    const char* text;
    const char* reason;  // what the error message must name
  };
  const Case cases[] = {
      {"", "not a JSON object"},
      {"[]", "not a JSON object"},
      {"{}", "without \"janus\""},
      {R"({"janus":5})", "without \"janus\""},
      {R"({"janus":"success","data":[]})", "non-object data"},
      {R"({"janus":"success","data":{"id":-1}})", "bad data.id"},
      {R"({"janus":"event","session_id":"x"})", "bad session or handle id"},
      {R"({"janus":"event","jsep":{"type":"offer"}})", "jsep without type and sdp"},
      {R"({"janus":"event","plugindata":{"data":7}})", "non-object plugindata.data"},
      {R"({"janus":"ack","transaction":1})", "non-string transaction"},
  };
  for (const auto& c : cases) {
    auto r = parseJanusMessage(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.error().code, "janus_malformed") << c.text;
    EXPECT_NE(r.error().message.find(c.reason), std::string::npos)
        << c.text << " → " << r.error().message << " (expected: " << c.reason << ")";
  }
}

TEST(JanusMessageTest, FindsVideoroomErrors) {
  boost::json::object d{{"videoroom", "event"}, {"error_code", 427}, {"error", "Room exists"}};
  auto e = videoroomError(d);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->first, 427);
  EXPECT_FALSE(videoroomError(boost::json::object{{"videoroom", "created"}}));
}

}  // namespace
}  // namespace kino::media
