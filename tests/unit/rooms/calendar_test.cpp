#include "kino/rooms/calendar.hpp"

#include <gtest/gtest.h>

namespace kino::rooms {
namespace {

using namespace std::chrono_literals;

storage::RoomRecord room() {
  storage::RoomRecord r;
  r.slug = "k7m2x9pq4r";
  r.title = "Film, night; with \\ friends";
  r.description = "Line one\nLine two";
  r.starts_at = *common::parseRfc3339("2026-12-01T18:30:00Z");
  r.duration_minutes = 95;
  r.status = "scheduled";
  return r;
}

TEST(CalendarTest, HasTheRequiredPropertiesWithCrlf) {
  const auto ics = calendarFor(room(), "http://kino.test/r/k7m2x9pq4r",
                               *common::parseRfc3339("2026-11-25T10:00:00Z"));
  EXPECT_EQ(ics.rfind("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", 0), 0u);
  for (const char* line : {"UID:room-k7m2x9pq4r@kino\r\n", "DTSTAMP:20261125T100000Z\r\n",
                           "DTSTART:20261201T183000Z\r\n", "DTEND:20261201T200500Z\r\n",
                           "SUMMARY:Film\\, night\\; with \\\\ friends\r\n",
                           "URL:http://kino.test/r/k7m2x9pq4r\r\n", "END:VCALENDAR\r\n"}) {
    EXPECT_NE(ics.find(line), std::string::npos) << line;
  }
  EXPECT_EQ(ics.find("\nLine two"), std::string::npos);  // newline escaped as \n
}

TEST(CalendarTest, LongLinesAreFoldedWithoutSplittingCharacters) {
  auto r = room();
  r.title.clear();
  for (int i = 0; i < 60; ++i) r.title += "ж";  // 2 bytes each
  const auto ics = calendarFor(r, "http://kino.test/r/x", common::fromUnixMillis(0));
  std::size_t start = 0;
  while (start < ics.size()) {
    const auto end = ics.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 75u);
    const auto first = static_cast<unsigned char>(ics[start]);
    if (ics[start] == ' ') {
      EXPECT_NE(static_cast<unsigned char>(ics[start + 1]) & 0xC0, 0x80u);
    } else {
      EXPECT_NE(first & 0xC0, 0x80u);
    }
    start = end + 2;
  }
}

}  // namespace
}  // namespace kino::rooms
