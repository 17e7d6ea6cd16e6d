// Who the archive lists and when they were there: grant holders and visitors merged, in the order
// they first came, and no visit reaching past the room's end.
#include "kino/rooms/archive_people.hpp"

#include <gtest/gtest.h>

namespace kino::rooms {
namespace {

using namespace std::chrono_literals;
using common::fromUnixMillis;

const common::TimePoint kT0 = fromUnixMillis(1'800'000'000'000);

storage::VisitRecord visit(std::int64_t id, std::string principal, std::string name,
                           common::TimePoint joined,
                           std::optional<common::TimePoint> left = std::nullopt) {
  return {id, 7, std::move(principal), std::move(name), joined, left};
}

TEST(ArchivePeopleTest, GrantHoldersAndGuestsWhoOnlyVisitedAreListedInTheOrderTheyFirstCame) {
  const std::vector<storage::GrantRecord> grants = {{7, "guest:g1", "Gus", kT0 + 5min},
                                                    {7, "user:3", "Carl", kT0 + 20min}};
  const std::vector<storage::VisitRecord> visits = {
      visit(1, "user:1", "Ann", kT0, kT0 + 40min),
      visit(2, "guest:g1", "Gus the guest", kT0 + 10min, kT0 + 15min),
      visit(3, "guest:g2", "Old name", kT0 + 12min, kT0 + 13min),
      visit(4, "guest:g1", "Gus the guest", kT0 + 30min),
      visit(5, "guest:g2", "Vera", kT0 + 31min, kT0 + 32min)};
  const auto people = archivePeople(grants, visits, std::nullopt);
  ASSERT_EQ(people.size(), 4u);
  EXPECT_EQ(people[0].principal, "user:1") << "Ann came first, without a grant";
  EXPECT_EQ(people[0].display_name, "Ann");
  EXPECT_EQ(people[0].first_came, kT0);
  EXPECT_EQ(people[1].principal, "guest:g1");
  EXPECT_EQ(people[1].display_name, "Gus") << "the grant's name";
  EXPECT_EQ(people[1].first_came, kT0 + 5min) << "the grant came before the first visit";
  ASSERT_EQ(people[1].visits.size(), 2u);
  EXPECT_EQ(people[1].visits[0].left_at, kT0 + 15min);
  EXPECT_FALSE(people[1].visits[1].left_at.has_value()) << "still in a live room";
  EXPECT_EQ(people[2].principal, "guest:g2");
  EXPECT_EQ(people[2].display_name, "Vera") << "no grant: the latest visit's name";
  EXPECT_EQ(people[3].principal, "user:3");
  EXPECT_TRUE(people[3].visits.empty()) << "a grant holder who never came in";
}

TEST(ArchivePeopleTest, InAnEndedRoomNoVisitReachesPastTheEnd) {
  const auto end = kT0 + 1h;
  const std::vector<storage::VisitRecord> visits = {
      visit(1, "user:1", "Ann", kT0, kT0 + 10min),
      visit(2, "user:2", "Bob", kT0 + 5min),                // its close was never written
      visit(3, "user:1", "Ann", kT0 + 50min, end + 2s)};  // the leave written after the end
  const auto people = archivePeople({}, visits, end);
  ASSERT_EQ(people.size(), 2u);
  ASSERT_EQ(people[0].visits.size(), 2u);
  EXPECT_EQ(people[0].visits[0].left_at, kT0 + 10min);
  EXPECT_EQ(people[0].visits[1].left_at, end);
  ASSERT_EQ(people[1].visits.size(), 1u);
  EXPECT_EQ(people[1].visits[0].joined_at, kT0 + 5min);
  EXPECT_EQ(people[1].visits[0].left_at, end);
}

}  // namespace
}  // namespace kino::rooms
