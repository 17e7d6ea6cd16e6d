#include <gtest/gtest.h>

#include "kino/rooms/room.hpp"

namespace kino::rooms {
namespace {

using namespace std::chrono_literals;
using common::fromUnixMillis;

const common::TimePoint kT0 = fromUnixMillis(1'800'000'000'000);

storage::RoomRecord scheduledAt(common::TimePoint start) {
  storage::RoomRecord r;
  r.slug = "abc";
  r.status = "scheduled";
  r.starts_at = start;
  r.created_at = r.last_active_at = kT0;
  return r;
}

TEST(LifecycleTest, TransitionsTable) {
  struct Case {
    const char* name;
    std::string status;
    common::TimePoint now;
    int participants;
    std::string want_status;
    std::string want_reason;
  } cases[] = {
      {"scheduled before start", "scheduled", kT0 + 59min, 0, "scheduled", ""},
      {"scheduled at start", "scheduled", kT0 + 60min, 0, "live", ""},
      {"live and empty, under the timeout", "scheduled", kT0 + 60min + 29min, 0, "live", ""},
      {"live and empty past the timeout", "scheduled", kT0 + 60min + 30min, 0, "ended", "empty"},
      {"live with people never ends by itself", "scheduled", kT0 + 600min, 3, "live", ""},
  };
  for (const auto& c : cases) {
    auto r = scheduledAt(kT0 + 60min);
    advanceLifecycle(r, c.now, c.participants, 30min);
    EXPECT_EQ(r.status, c.want_status) << c.name;
    EXPECT_EQ(r.ended_reason, c.want_reason) << c.name;
  }
}

TEST(LifecycleTest, GoingLiveRecordsTheStartTimeAndEndingTheTimeoutMoment) {
  auto r = scheduledAt(kT0 + 60min);
  EXPECT_TRUE(advanceLifecycle(r, kT0 + 61min, 0, 30min));
  EXPECT_EQ(r.live_at, kT0 + 60min);
  EXPECT_FALSE(advanceLifecycle(r, kT0 + 62min, 0, 30min));
  EXPECT_TRUE(advanceLifecycle(r, kT0 + 200min, 0, 30min));
  EXPECT_EQ(r.ended_at, kT0 + 90min);
}

TEST(LifecycleTest, OccupiedRoomKeepsItsActivityFreshToTheMinute) {
  auto r = scheduledAt(kT0);
  advanceLifecycle(r, kT0, 0, 30min);
  EXPECT_FALSE(advanceLifecycle(r, kT0 + 30s, 2, 30min));
  EXPECT_TRUE(advanceLifecycle(r, kT0 + 90s, 2, 30min));
  EXPECT_EQ(r.last_active_at, kT0 + 90s);
  EXPECT_FALSE(advanceLifecycle(r, kT0 + 90s + 29min, 0, 30min));
  EXPECT_TRUE(advanceLifecycle(r, kT0 + 90s + 30min, 0, 30min));
  EXPECT_EQ(r.status, "ended");
}

TEST(LifecycleTest, EndedRoomsStayEnded) {
  auto r = scheduledAt(kT0);
  r.status = "ended";
  r.ended_reason = "cancelled";
  EXPECT_FALSE(advanceLifecycle(r, kT0 + 1000min, 0, 30min));
  EXPECT_EQ(r.status, "ended");
}

TEST(AccessKeyTest, NormalisationIgnoresCaseDashesAndSpaces) {
  EXPECT_EQ(normalizeAccessKey("AB2C-d3ef gh"), "ab2cd3efgh");
}

}  // namespace
}  // namespace kino::rooms
