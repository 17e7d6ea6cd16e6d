// Where a room's video call goes (chooseNode): alone, by health and load; with a book shared by
// several Kino nodes (here the store's, on SQLite), one Janus node per room whichever Kino node
// asks, a failed node replaced once, and a room's new owner after a failover finding its node.
#include "kino/media/call_placement.hpp"

#include <gtest/gtest.h>

#include "fakes/fake_clock.hpp"
#include "kino/app/store_placement_book.hpp"
#include "kino/storage/sqlite_store.hpp"

namespace kino::media {
namespace {

// A Kino node's view of the Janus nodes: "name" healthy, "name!" down, "name*N" with N calls here.
std::vector<NodeView> view(std::initializer_list<std::string> specs) {
  std::vector<NodeView> out;
  for (std::string s : specs) {
    NodeView v;
    v.healthy = true;
    if (const auto star = s.find('*'); star != std::string::npos) {
      v.calls = std::stoul(s.substr(star + 1));
      s.resize(star);
    }
    if (!s.empty() && s.back() == '!') {
      v.healthy = false;
      s.pop_back();
    }
    v.name = s;
    out.push_back(v);
  }
  return out;
}

std::string nameOf(const Result<std::size_t>& r, const std::vector<NodeView>& nodes) {
  if (!r) return "error: " + r.error().code;
  return nodes[*r].name;
}

TEST(CallPlacementTest, AloneTheRoomStaysWhileItsNodeIsHealthyElseGoesToTheLeastLoaded) {
  const PlacementBook none;
  auto nodes = view({"j1*2", "j2*1", "j3*1"});
  EXPECT_EQ(nameOf(chooseNode(1, nodes, std::nullopt, none), nodes), "j2") << "fewest calls, first";
  EXPECT_EQ(nameOf(chooseNode(1, nodes, 0, none), nodes), "j1") << "where it is while healthy";
  nodes = view({"j1!*2", "j2*4", "j3*1"});
  EXPECT_EQ(nameOf(chooseNode(1, nodes, 0, none), nodes), "j3") << "its node died";
  nodes = view({"j1!", "j2!"});
  EXPECT_EQ(chooseNode(1, nodes, 1, none).value(), 1u) << "none healthy: it stays";
  EXPECT_EQ(chooseNode(1, nodes, std::nullopt, none).value(), 0u);
}

class SharedPlacementTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(storage::openSqliteStore(":memory:")).value();
    ASSERT_TRUE(store_->migrate().ok());
    auto u = store_->users().create({"anna", "Anna", "h", common::fromUnixMillis(0)});
    for (const char* slug : {"slugplc01", "slugplc02"}) {
      auto r = store_->rooms().create({slug, u->id, "T", "", "https://v.test/a.mp4", "public", "",
                                       "", std::nullopt, 120, "live", common::fromUnixMillis(0)});
      rooms_.push_back(r->id);
    }
    book_ = app::storePlacementBook(store_->mediaPlacements(), clock_);
  }
  std::string recorded(std::int64_t room) {
    auto p = store_->mediaPlacements().find(room);
    return p ? p->janus_node : "none";
  }

  testing::FakeClock clock_;
  std::unique_ptr<storage::Store> store_;
  std::vector<std::int64_t> rooms_;
  PlacementBook book_;
};

TEST_F(SharedPlacementTest, AnotherKinoNodeUsesTheRecordedNodeOverItsOwnPreference) {
  const std::int64_t room = rooms_[0];
  auto a = view({"j1", "j2"});
  EXPECT_EQ(nameOf(chooseNode(room, a, std::nullopt, book_), a), "j1");
  EXPECT_EQ(recorded(room), "j1");
  // Kino node b lists the nodes in another order and is busier on j1: alone it would pick j2.
  auto b = view({"j2", "j1*3"});
  EXPECT_EQ(nameOf(chooseNode(room, b, std::nullopt, book_), b), "j1");
  // Even where b had the room on j2 before (a stale view), the book wins while j1 is healthy.
  EXPECT_EQ(nameOf(chooseNode(room, b, 0, book_), b), "j1");
  EXPECT_EQ(recorded(room), "j1");
}

TEST_F(SharedPlacementTest, ARoomsNewOwnerAfterAFailoverReusesItsNodeWhileHealthy) {
  const std::int64_t room = rooms_[0];
  auto old_owner = view({"j1*5", "j2", "j3*1"});
  EXPECT_EQ(nameOf(chooseNode(room, old_owner, std::nullopt, book_), old_owner), "j2");
  // The old owner dies without forgetting anything; the new owner has no calls of its own.
  auto new_owner = view({"j1", "j2*7", "j3"});
  EXPECT_EQ(nameOf(chooseNode(room, new_owner, std::nullopt, book_), new_owner), "j2");
  // j2 is down by the time the new owner places the room: it moves, and the book says so.
  new_owner = view({"j1*1", "j2!", "j3"});
  EXPECT_EQ(nameOf(chooseNode(room, new_owner, std::nullopt, book_), new_owner), "j3");
  EXPECT_EQ(recorded(room), "j3");
}

TEST_F(SharedPlacementTest, TwoKinoNodesReplacingADeadNodeAgreeOnTheFirstReplacement) {
  const std::int64_t room = rooms_[1];
  auto a = view({"j1", "j2", "j3"});
  ASSERT_EQ(nameOf(chooseNode(room, a, std::nullopt, book_), a), "j1");
  a = view({"j1!", "j2", "j3*1"});  // both see j1 die; a prefers j2, b prefers j3
  auto b = view({"j1!", "j2*2", "j3"});
  EXPECT_EQ(nameOf(chooseNode(room, a, 0, book_), a), "j2");
  EXPECT_EQ(nameOf(chooseNode(room, b, 0, book_), b), "j2") << "the loser reads the winner's move";
  EXPECT_EQ(recorded(room), "j2");
}

TEST_F(SharedPlacementTest, WithNoHealthyNodeTheBookIsNotTouched) {
  auto down = view({"j1!", "j2!"});
  EXPECT_EQ(chooseNode(rooms_[0], down, std::nullopt, book_).value(), 0u);
  EXPECT_EQ(recorded(rooms_[0]), "none");
}

TEST(CallPlacementBookTest, ABookFailureOrANodeThisKinoDoesNotKnowIsAnError) {
  PlacementBook broken;
  broken.place = [](std::int64_t, const std::string&) -> Result<std::string> {
    return Error::make(ErrorKind::kUnavailable, "store_unavailable", "down");
  };
  auto nodes = view({"j1", "j2"});
  EXPECT_EQ(nameOf(chooseNode(1, nodes, std::nullopt, broken), nodes), "error: store_unavailable");

  PlacementBook elsewhere;  // another Kino node moved the call to a node not in this one's list
  elsewhere.place = [](std::int64_t, const std::string&) -> Result<std::string> {
    return std::string("j8");
  };
  elsewhere.move = [](std::int64_t, const std::string&, const std::string&) -> Result<std::string> {
    return std::string("j9");
  };
  EXPECT_EQ(nameOf(chooseNode(1, nodes, std::nullopt, elsewhere), nodes),
            "error: media_placement_unknown");
}

}  // namespace
}  // namespace kino::media
