#include "kino/rooms/room_service.hpp"

#include <gtest/gtest.h>

#include "fakes/fake_clock.hpp"
#include "fakes/scripted_random.hpp"
#include "fakes/seeded_random.hpp"
#include "kino/storage/sqlite_store.hpp"

namespace kino::rooms {
namespace {

using namespace std::chrono_literals;

class RoomServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(storage::openSqliteStore(":memory:")).value();
    ASSERT_TRUE(store_->migrate().ok());
    owner_ = addUser("owner");
    other_ = addUser("other");
    config_.join_ip_max_failures = 3;
    config_.join_room_max_failures = 5;
    service_ = std::make_unique<RoomService>(*store_, clock_, random_, presence_, config_,
                                             accounts::Argon2Params{});
  }
  accounts::User addUser(const std::string& name) {
    auto r = store_->users().create({name, name + " D", "x", clock_.now()});
    return {r->id, r->username, r->display_name, r->created_at};
  }
  CreateRoomRequest publicRoom() {
    return {"Movie night", "https://videos.example/film.mp4", "public", {}, {}, {}, ""};
  }
  CreatedRoom create(CreateRoomRequest r) {
    auto c = service_->create(owner_, r);
    EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
    return c.value();
  }
  Visitor guest(const std::string& id) { return Visitor{std::nullopt, id}; }

  testing::FakeClock clock_;
  testing::SeededRandom random_;
  PresenceRegistry presence_;
  common::RoomsConfig config_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<RoomService> service_;
  accounts::User owner_, other_;
};

TEST_F(RoomServiceTest, UnscheduledRoomIsLiveWithAnUnambiguousSlug) {
  auto c = create(publicRoom());
  EXPECT_EQ(c.view.room.status, "live");
  EXPECT_EQ(c.view.room.slug.size(), 10u);
  EXPECT_EQ(c.view.room.slug.find_first_not_of(kSlugAlphabet), std::string::npos);
  EXPECT_FALSE(c.access_key.has_value());
  EXPECT_TRUE(c.view.is_owner);
}

TEST_F(RoomServiceTest, SlugCollisionsAreRetried) {
  // A tiny slug space: the scripted bytes give the same first slug twice, then another.
  testing::ScriptedRandom scripted({0, 0, 1});
  config_.slug_length = 8;
  RoomService service(*store_, clock_, scripted, presence_, config_, {});
  auto first = service.create(owner_, publicRoom());
  ASSERT_TRUE(first.ok());
  auto second = service.create(owner_, publicRoom());  // draws slug 0 again → collision → slug 1
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_NE(first->view.room.slug, second->view.room.slug);
  EXPECT_EQ(second->view.room.slug, std::string(8, kSlugAlphabet[1]));
}

TEST_F(RoomServiceTest, SlugSpaceExhaustedGivesAClearError) {
  testing::ScriptedRandom scripted({0});
  RoomService service(*store_, clock_, scripted, presence_, config_, {});
  ASSERT_TRUE(service.create(owner_, publicRoom()).ok());
  auto again = service.create(owner_, publicRoom());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "slug_exhausted");
}

TEST_F(RoomServiceTest, PrivateRoomWithGeneratedKeyNeedsTheKey) {
  auto r = publicRoom();
  r.visibility = "private";
  auto c = create(r);
  ASSERT_TRUE(c.access_key.has_value());
  EXPECT_EQ(c.access_key->size(), 19u);  // xxxx-xxxx-xxxx-xxxx
  const auto slug = c.view.room.slug;
  EXPECT_EQ(service_->view(slug, guest("g1")).error().code, "room_private");
  EXPECT_EQ(service_->join(slug, guest("g1"), {"nope", "Gus"}, "ip").error().code,
            "wrong_room_key");
  std::string typed = *c.access_key;
  for (auto& ch : typed) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  auto joined = service_->join(slug, guest("g1"), {typed, "Gus"}, "ip");
  ASSERT_TRUE(joined.ok()) << joined.error().message;
  EXPECT_EQ(joined->display_name, "Gus");
  auto again = service_->view(slug, guest("g1"));  // the grant is remembered
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->joined);
  EXPECT_EQ(service_->view(slug, guest("g2")).error().code, "room_private");
  EXPECT_TRUE(service_->view(slug, Visitor{owner_, {}}).ok());
}

TEST_F(RoomServiceTest, APrivateRoomsDoorShowsItsTitleHostAndKindOfKeyOnly) {
  auto r = publicRoom();
  r.visibility = "private";
  r.password = "popcorn-42";
  const auto slug = create(r).view.room.slug;
  auto door = service_->door(slug);
  ASSERT_TRUE(door.ok()) << door.error().message;
  EXPECT_EQ(door->title, "Movie night");
  EXPECT_EQ(door->host_display_name, owner_.display_name);
  EXPECT_EQ(door->protected_by, "password");
  EXPECT_EQ(service_->door("nosuchroom").error().kind, ErrorKind::kNotFound);
  // A public room has no door.
  EXPECT_EQ(service_->door(create(publicRoom()).view.room.slug).error().kind, ErrorKind::kNotFound);
}

TEST_F(RoomServiceTest, TheOwnerGivesAPrivateRoomANewKeyAndWhoeverIsInStaysIn) {
  auto r = publicRoom();
  r.visibility = "private";
  auto c = create(r);
  const auto slug = c.view.room.slug;
  ASSERT_TRUE(service_->join(slug, guest("g1"), {*c.access_key, "Gus"}, "ip").ok());
  EXPECT_EQ(service_->rotateKey(slug, other_, std::nullopt).error().code, "not_owner");
  auto rotated = service_->rotateKey(slug, owner_, std::nullopt);
  ASSERT_TRUE(rotated.ok()) << rotated.error().message;
  ASSERT_TRUE(rotated->access_key.has_value());
  EXPECT_NE(*rotated->access_key, *c.access_key);
  EXPECT_EQ(service_->join(slug, guest("g2"), {*c.access_key, "Old"}, "ip").error().code,
            "wrong_room_key");
  EXPECT_TRUE(service_->join(slug, guest("g3"), {*rotated->access_key, "New"}, "ip").ok());
  EXPECT_TRUE(service_->view(slug, guest("g1"))->joined) << "Gus keeps his grant";
  // A password instead: checked like at creation.
  EXPECT_EQ(service_->rotateKey(slug, owner_, std::string("123")).error().field, "password");
  auto pw = service_->rotateKey(slug, owner_, std::string("popcorn-42"));
  ASSERT_TRUE(pw.ok());
  EXPECT_FALSE(pw->access_key.has_value());
  EXPECT_EQ(pw->view.room.key_kind, "password");
  EXPECT_TRUE(service_->join(slug, guest("g4"), {"popcorn-42", "Pam"}, "ip").ok());
  EXPECT_EQ(service_->rotateKey(create(publicRoom()).view.room.slug, owner_, std::nullopt).error().code,
            "room_public");
}

TEST_F(RoomServiceTest, MyRoomsAreTheOnesICreatedOrWasLetInto) {
  auto priv = publicRoom();
  priv.visibility = "private";
  auto theirs = service_->create(other_, priv).value();
  auto mine = create(publicRoom());
  service_->create(other_, publicRoom()).value();  // never visited
  const Visitor me{owner_, {}};
  ASSERT_TRUE(service_->join(theirs.view.room.slug, me, {*theirs.access_key, ""}, "ip").ok());
  auto list = service_->mine(owner_);
  ASSERT_TRUE(list.ok()) << list.error().message;
  ASSERT_EQ(list->size(), 2u);
  // Newest first.
  EXPECT_EQ((*list)[0].room.slug, mine.view.room.slug);
  EXPECT_TRUE((*list)[0].is_owner);
  EXPECT_EQ((*list)[1].room.slug, theirs.view.room.slug);
  EXPECT_FALSE((*list)[1].is_owner);
  EXPECT_TRUE((*list)[1].joined);
}

TEST_F(RoomServiceTest, KeyIsStoredOnlyAsArgon2idHash) {
  auto r = publicRoom();
  r.visibility = "private";
  r.password = "secret-pw";
  auto c = create(r);
  auto stored = store_->rooms().findBySlug(c.view.room.slug);
  EXPECT_EQ(stored->key_hash.rfind("$argon2id$", 0), 0u);
  EXPECT_EQ(stored->key_hash.find("secret-pw"), std::string::npos);
  EXPECT_TRUE(service_->join(c.view.room.slug, Visitor{other_, {}}, {"secret-pw", {}}, "ip").ok());
}

TEST_F(RoomServiceTest, WrongKeysAreRateLimitedPerIpAndPerRoom) {
  auto r = publicRoom();
  r.visibility = "private";
  r.password = "secret-pw";
  const auto slug = create(r).view.room.slug;
  for (int i = 0; i < 3; ++i) service_->join(slug, guest("g"), {"bad", "G"}, "1.1.1.1").ok();
  auto limited = service_->join(slug, guest("g"), {"secret-pw", "G"}, "1.1.1.1");
  ASSERT_FALSE(limited.ok());
  EXPECT_EQ(limited.error().kind, ErrorKind::kRateLimited);
  EXPECT_GT(limited.error().retry_after.count(), 0);
  // Other IPs keep trying until the room's own limit (5) is reached.
  service_->join(slug, guest("h"), {"bad", "H"}, "2.2.2.2").ok();
  service_->join(slug, guest("h"), {"bad", "H"}, "3.3.3.3").ok();
  auto room_limited = service_->join(slug, guest("h"), {"secret-pw", "H"}, "4.4.4.4");
  ASSERT_FALSE(room_limited.ok());
  EXPECT_EQ(room_limited.error().kind, ErrorKind::kRateLimited);
  clock_.advance(std::chrono::seconds(config_.join_window_s + 1));
  EXPECT_TRUE(service_->join(slug, guest("h"), {"secret-pw", "H"}, "4.4.4.4").ok());
}

TEST_F(RoomServiceTest, GuestsNeedANameAndCanBeSwitchedOff) {
  const auto slug = create(publicRoom()).view.room.slug;
  EXPECT_EQ(service_->join(slug, guest("g"), {{}, {}}, "ip").error().field, "display_name");
  config_.guests_allowed = false;
  RoomService strict(*store_, clock_, random_, presence_, config_, {});
  EXPECT_EQ(strict.join(slug, guest("g"), {{}, "G"}, "ip").error().code, "account_required");
  EXPECT_TRUE(strict.join(slug, Visitor{other_, {}}, {{}, {}}, "ip").ok());
}

TEST_F(RoomServiceTest, ScheduledRoomGoesLiveAtItsStartTime) {
  auto r = publicRoom();
  r.starts_at = clock_.now() + 2h;
  const auto slug = create(r).view.room.slug;
  EXPECT_EQ(service_->view(slug, guest("g"))->room.status, "scheduled");
  EXPECT_EQ(service_->listPublic("scheduled", guest("g"))->size(), 1u);
  clock_.advance(2h + 1s);
  EXPECT_EQ(service_->view(slug, guest("g"))->room.status, "live");
  EXPECT_EQ(service_->listPublic("scheduled", guest("g"))->size(), 0u);
  EXPECT_EQ(service_->listPublic("live", guest("g"))->size(), 1u);
}

TEST_F(RoomServiceTest, EmptyLiveRoomEndsAfterTheTimeoutButNotWhilePeopleAreIn) {
  const auto slug = create(publicRoom()).view.room.slug;
  presence_.entered(slug);
  clock_.advance(45min);
  ASSERT_TRUE(service_->sweep().ok());
  EXPECT_EQ(service_->view(slug, guest("g"))->room.status, "live");
  presence_.left(slug);
  ASSERT_TRUE(service_->touch(slug).ok());
  clock_.advance(29min);
  EXPECT_EQ(service_->view(slug, guest("g"))->room.status, "live");
  clock_.advance(2min);
  auto ended = service_->view(slug, guest("g"));
  EXPECT_EQ(ended->room.status, "ended");
  EXPECT_EQ(ended->room.ended_reason, "empty");
}

// Two nodes on one store: the periodic sweep runs on node a alone, the people are on node b. b
// refreshing its occupied rooms keeps a's sweep from ending the room; without it, it would.
TEST_F(RoomServiceTest, ASweepOnAnotherNodeDoesNotEndARoomWhosePeopleAreOnThisNode) {
  PresenceRegistry presence_b;
  RoomService node_b(*store_, clock_, random_, presence_b, config_, accounts::Argon2Params{});
  const auto busy = create(publicRoom()).view.room.slug;
  const auto idle = create(publicRoom()).view.room.slug;
  presence_b.entered(busy);
  presence_b.entered(idle);
  for (int i = 0; i < 4 * 45; ++i) {  // 45 minutes of 15 s periods
    clock_.advance(15s);
    ASSERT_TRUE(node_b.refreshOccupied().ok());
    ASSERT_TRUE(service_->sweep().ok());
    if (i == 4 * 5) presence_b.left(idle);  // b stops refreshing this one after 5 minutes
  }
  EXPECT_EQ(store_->rooms().findBySlug(busy)->status, "live");
  auto ended = store_->rooms().findBySlug(idle);
  EXPECT_EQ(ended->status, "ended") << "left alone, a's sweep ends it after the timeout";
  EXPECT_EQ(ended->ended_reason, "empty");
}

TEST_F(RoomServiceTest, OnlyTheOwnerEditsCancelsOrEnds) {
  auto r = publicRoom();
  r.starts_at = clock_.now() + 1h;
  const auto slug = create(r).view.room.slug;
  RoomPatch patch;
  patch.title = "New title";
  patch.starts_at = clock_.now() + 3h;
  EXPECT_EQ(service_->update(slug, other_, patch).error().code, "not_owner");
  auto updated = service_->update(slug, owner_, patch);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->room.title, "New title");
  EXPECT_EQ(updated->room.starts_at, clock_.now() + 3h);
  EXPECT_EQ(service_->end(slug, other_).error().code, "not_owner");
  auto cancelled = service_->end(slug, owner_);
  EXPECT_EQ(cancelled->room.status, "ended");
  EXPECT_EQ(cancelled->room.ended_reason, "cancelled");
  EXPECT_EQ(service_->update(slug, owner_, patch).error().code, "room_ended");
}

TEST_F(RoomServiceTest, StartedRoomsKeepTheirTimes) {
  const auto slug = create(publicRoom()).view.room.slug;
  RoomPatch patch;
  patch.starts_at = clock_.now() + 1h;
  EXPECT_EQ(service_->update(slug, owner_, patch).error().code, "room_started");
  auto ended = service_->end(slug, owner_);
  EXPECT_EQ(ended->room.ended_reason, "owner_ended");
}

// The archive of an ended room shows who was there until when: ending it closes every visit still
// open at the end time (a leave not written, the owner's node gone), and lists them with grants.
TEST_F(RoomServiceTest, EndingARoomClosesItsOpenVisitsAtTheEndAndTheArchiveListsThem) {
  const auto room = create(publicRoom()).view.room;
  const auto t0 = clock_.now();
  ASSERT_TRUE(store_->visits().open(room.id, "guest:g1", "Gus", t0).ok());
  ASSERT_TRUE(store_->visits().open(room.id, "user:1", "Ann", t0 + 1min).ok());
  ASSERT_TRUE(store_->visits().close(room.id, "user:1", t0 + 2min).ok());
  clock_.advance(30min);
  ASSERT_TRUE(service_->end(room.slug, owner_).ok());
  auto archive = service_->archive(room.slug, guest("g1"));
  ASSERT_TRUE(archive.ok()) << archive.error().message;
  ASSERT_EQ(archive->people.size(), 2u);
  EXPECT_EQ(archive->people[0].display_name, "Gus");
  ASSERT_EQ(archive->people[0].visits.size(), 1u);
  EXPECT_EQ(archive->people[0].visits[0].left_at, t0 + 30min) << "closed at the end";
  EXPECT_EQ(archive->people[1].visits[0].left_at, t0 + 2min);
  EXPECT_EQ(store_->visits().list(room.id)->at(0).left_at, t0 + 30min) << "stored closed";
}

TEST_F(RoomServiceTest, ValidationNamesTheField) {
  struct Case { std::function<void(CreateRoomRequest&)> edit; std::string field; } cases[] = {
      {[](auto& r) { r.title = ""; }, "title"},
      {[](auto& r) { r.title = std::string(121, 'x'); }, "title"},
      {[](auto& r) { r.video_url = "ftp://x/y.mp4"; }, "video_url"},
      {[](auto& r) { r.video_url = "not a url"; }, "video_url"},
      {[](auto& r) { r.visibility = "secret"; }, "visibility"},
      {[](auto& r) { r.visibility = "private"; r.password = "123"; }, "password"},
      {[this](auto& r) { r.starts_at = clock_.now() - 1h; }, "starts_at"},
      {[this](auto& r) { r.starts_at = clock_.now() + std::chrono::hours(24 * 400); }, "starts_at"},
      {[](auto& r) { r.duration_minutes = 0; }, "duration_minutes"},
  };
  for (auto& c : cases) {
    auto r = publicRoom();
    c.edit(r);
    auto result = service_->create(owner_, r);
    ASSERT_FALSE(result.ok()) << c.field;
    EXPECT_EQ(result.error().field, c.field);
  }
}

TEST_F(RoomServiceTest, ListingsShowOnlyPublicRooms) {
  auto priv = publicRoom();
  priv.visibility = "private";
  create(priv);
  create(publicRoom());
  auto live = service_->listPublic("live", guest("g"));
  ASSERT_TRUE(live.ok());
  ASSERT_EQ(live->size(), 1u);
  EXPECT_EQ(live->front().room.visibility, "public");
  EXPECT_FALSE(service_->listPublic("ended", guest("g")).ok());
}

}  // namespace
}  // namespace kino::rooms
