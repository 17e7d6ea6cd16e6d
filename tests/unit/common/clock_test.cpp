#include "kino/common/clock.hpp"

#include <gtest/gtest.h>

namespace kino::common {
namespace {

TEST(Rfc3339Test, RoundTripsAndHonoursOffsets) {
  auto t = parseRfc3339("2026-12-01T18:30:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(toRfc3339(*t), "2026-12-01T18:30:00.000Z");
  EXPECT_EQ(parseRfc3339("2026-12-01T20:30:00+02:00"), t);
  EXPECT_EQ(parseRfc3339("2026-12-01T18:30Z"), t);
  EXPECT_EQ(toRfc3339(*parseRfc3339("2026-12-01T18:30:00.25Z")), "2026-12-01T18:30:00.250Z");
}

TEST(Rfc3339Test, RejectsMalformedOrZonelessTimes) {
  for (const char* bad : {"", "2026-12-01", "2026-12-01T18:30:00", "2026-13-01T00:00:00Z",
                          "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "2026-12-01T24:00:00Z",
                          "2026-12-01T18:30:00Zjunk", "2026-12-01T18:30:00+2:00", "tomorrow"}) {
    EXPECT_FALSE(parseRfc3339(bad)) << bad;
  }
  EXPECT_TRUE(parseRfc3339("2024-02-29T00:00:00Z"));
}

TEST(OffsetClockTest, OnlyMovesForward) {
  OffsetClock clock;
  const auto before = clock.now();
  clock.advance(std::chrono::hours(2));
  EXPECT_GE(clock.now() - before, std::chrono::hours(2));
  clock.advance(std::chrono::hours(-5));
  EXPECT_GE(clock.now() - before, std::chrono::hours(2));
}

}  // namespace
}  // namespace kino::common
