#include "kino/rooms/presence.hpp"

#include <gtest/gtest.h>

#include "fakes/fake_clock.hpp"

namespace kino::rooms {
namespace {

TEST(PresenceRegistryTest, CountsOtherNodesReportsUntilTheyGoStale) {
  kino::testing::FakeClock clock;
  PresenceRegistry presence(&clock);
  presence.entered("film");
  presence.replaceRemote("node-b", {{"film", 3}, {"other", 1}}, clock.now() + std::chrono::seconds(3));
  EXPECT_EQ(presence.participants("film"), 4);
  EXPECT_EQ(presence.participants("other"), 1);
  EXPECT_EQ(presence.local(), (std::map<std::string, int>{{"film", 1}})) << "only this node's own";
  presence.replaceRemote("node-b", {{"film", 2}}, clock.now() + std::chrono::seconds(3));
  EXPECT_EQ(presence.participants("other"), 0) << "a new report replaces the old one";
  clock.advance(std::chrono::seconds(4));
  EXPECT_EQ(presence.participants("film"), 1) << "a node that stopped reporting counts for nobody";
}

}  // namespace
}  // namespace kino::rooms
