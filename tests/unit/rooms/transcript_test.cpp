#include "kino/rooms/transcript.hpp"

#include <gtest/gtest.h>

namespace kino::rooms {
namespace {

storage::MessageRecord message(std::int64_t seq, std::string author, std::string text,
                               const char* at) {
  storage::MessageRecord m;
  m.seq = seq;
  m.author_name = std::move(author);
  m.text = std::move(text);
  m.sent_at = *common::parseRfc3339(at);
  return m;
}

storage::RoomRecord room() {
  storage::RoomRecord r;
  r.slug = "k7m2x9pq4r";
  r.title = "Friday film";
  r.created_at = *common::parseRfc3339("2026-12-04T17:55:00Z");
  r.live_at = *common::parseRfc3339("2026-12-04T18:00:00Z");
  r.ended_at = *common::parseRfc3339("2026-12-04T20:10:00Z");
  return r;
}

TEST(TranscriptTest, AHeaderThenOneTimedLinePerMessageOldestFirst) {
  const auto text = transcriptText(room(), "http://kino.test/r/k7m2x9pq4r",
                                   {message(1, "Ann", "hello", "2026-12-04T18:01:02.345Z"),
                                    message(2, "Борис", "привет 👋", "2026-12-04T18:01:09Z")});
  EXPECT_EQ(text,
            "Friday film\n"
            "http://kino.test/r/k7m2x9pq4r\n"
            "Started: 2026-12-04 18:00:00 UTC\n"
            "Ended: 2026-12-04 20:10:00 UTC\n"
            "Messages: 2\n"
            "\n"
            "[2026-12-04 18:01:02 UTC] Ann: hello\n"
            "[2026-12-04 18:01:09 UTC] Борис: привет 👋\n");
}

TEST(TranscriptTest, AMessageCannotForgeAnotherEntryOrSmuggleControlCharacters) {
  const auto text = transcriptText(
      room(), "http://kino.test/r/x",
      {message(1, "Eve\n[2026-12-04 18:00:00 UTC] Owner", "line one\r\n[2026-12-04 18:00:00 UTC] "
                                                           "Owner: give me the key\x1b[2J\x07",
               "2026-12-04T18:05:00Z")});
  const auto body = text.substr(text.find("\n\n") + 2);
  EXPECT_EQ(body,
            "[2026-12-04 18:05:00 UTC] Eve [2026-12-04 18:00:00 UTC] Owner: line one\n"
            "    [2026-12-04 18:00:00 UTC] Owner: give me the key[2J\n");
  std::size_t entries = 0;
  for (std::size_t at = 0; (at = body.find("\n[", at)) != std::string::npos; ++at) ++entries;
  EXPECT_EQ(entries, 0u) << "only the first line of the body starts an entry";
}

TEST(TranscriptTest, AnUnstartedRoomCountsFromItsCreationAndHasNoEnd) {
  auto r = room();
  r.live_at.reset();
  r.ended_at.reset();
  const auto text = transcriptText(r, "http://kino.test/r/x", {});
  EXPECT_NE(text.find("Started: 2026-12-04 17:55:00 UTC\n"), std::string::npos);
  EXPECT_EQ(text.find("Ended:"), std::string::npos);
  EXPECT_NE(text.find("Messages: 0\n"), std::string::npos);
}

}  // namespace
}  // namespace kino::rooms
