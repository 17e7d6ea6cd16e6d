// The contract every Store adapter must pass. Add an adapter by adding a factory to kAdapters.
// PostgreSQL: one server per test binary run (tests/lib/pg_server.hpp), a new database per test.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "kino/storage/migrations.hpp"
#include "kino/storage/postgres_store.hpp"
#include "kino/storage/sqlite_store.hpp"
#include "lib/pg_server.hpp"

namespace kino::storage {
namespace {

using common::fromUnixMillis;
namespace fs = std::filesystem;

struct Adapter {
  const char* name;
  std::function<std::unique_ptr<Store>(const fs::path& dir)> open;
};

void PrintTo(const Adapter& a, std::ostream* os) { *os << a.name; }

const Adapter kAdapters[] = {
    {"sqlite_file",
     [](const fs::path& dir) { return std::move(openSqliteStore(dir / "kino.db")).value(); }},
    {"sqlite_memory", [](const fs::path&) { return std::move(openSqliteStore(":memory:")).value(); }},
    {"postgres",
     [](const fs::path&) {
       auto& pg = testlib::sharedPgServer();
       return std::move(openPostgresStore({.url = pg.url(pg.createDatabase())})).value();
     }},
};

class StoreContractTest : public ::testing::TestWithParam<Adapter> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kino-store-" + std::to_string(::getpid()) + "-" +
                                        GetParam().name);
    fs::create_directories(dir_);
    store_ = GetParam().open(dir_);
    ASSERT_TRUE(store_->migrate().ok());
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  UserRecord makeUser(const std::string& name) {
    auto u = store_->users().create({name, name + " display", "hash", fromUnixMillis(1000)});
    EXPECT_TRUE(u.ok());
    return u.value();
  }
  fs::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreContractTest, MigrateIsIdempotent) {
  auto again = store_->migrate();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, static_cast<int>(migrations().size()));
  EXPECT_TRUE(store_->ping().ok());
}

TEST_P(StoreContractTest, UsersRoundTripAndAreFoundIgnoringCase) {
  auto u = makeUser("Anna");
  EXPECT_GT(u.id, 0);
  auto by_name = store_->users().findByUsername("ANNA");
  ASSERT_TRUE(by_name.ok());
  EXPECT_EQ(by_name->id, u.id);
  EXPECT_EQ(by_name->username, "Anna");
  EXPECT_EQ(by_name->display_name, "Anna display");
  EXPECT_EQ(by_name->created_at, fromUnixMillis(1000));
  auto by_id = store_->users().findById(u.id);
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ(by_id->username, "Anna");
  EXPECT_EQ(store_->users().findById(9999).error().kind, ErrorKind::kNotFound);
}

TEST_P(StoreContractTest, DuplicateUsernameInAnyCaseConflicts) {
  makeUser("Anna");
  auto dup = store_->users().create({"aNNa", "x", "h", fromUnixMillis(0)});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(dup.error().code, "username_taken");
}

TEST_P(StoreContractTest, SessionsCanBeFoundRevokedAndExpired) {
  auto u = makeUser("Anna");
  ASSERT_TRUE(store_->sessions().create({"h1", u.id, fromUnixMillis(0), fromUnixMillis(100)}).ok());
  ASSERT_TRUE(store_->sessions().create({"h2", u.id, fromUnixMillis(0), fromUnixMillis(500)}).ok());
  auto s = store_->sessions().find("h1");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->user_id, u.id);
  EXPECT_EQ(s->expires_at, fromUnixMillis(100));
  auto removed = store_->sessions().deleteExpired(fromUnixMillis(200));
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 1);
  EXPECT_EQ(store_->sessions().find("h1").error().kind, ErrorKind::kNotFound);
  ASSERT_TRUE(store_->sessions().revoke("h2").ok());
  EXPECT_FALSE(store_->sessions().find("h2").ok());
  EXPECT_TRUE(store_->sessions().revoke("never-existed").ok());
}

TEST_P(StoreContractTest, MessagesKeepOrderAndRecogniseResends) {
  auto u = makeUser("Anna");
  auto room = store_->rooms().create({"slug00001", u.id, "T", "", "https://v.test/a.mp4", "public",
                                      "", "", std::nullopt, 120, "live", fromUnixMillis(0)});
  ASSERT_TRUE(room.ok());
  std::vector<NewMessage> batch;
  for (int i = 1; i <= 5; ++i) {
    batch.push_back({room->id, i, "user:1", "Anna", "c" + std::to_string(i), "m" + std::to_string(i),
                     fromUnixMillis(i)});
  }
  auto stored = store_->messages().appendBatch(batch);
  ASSERT_TRUE(stored.ok());
  EXPECT_FALSE((*stored)[0].duplicate);
  auto again = store_->messages().appendBatch({{room->id, 9, "user:1", "Anna", "c2", "x", fromUnixMillis(9)}});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE((*again)[0].duplicate);
  EXPECT_EQ((*again)[0].seq, 2);
  EXPECT_EQ((*again)[0].text, "m2");
  auto page = store_->messages().page(room->id, 5, 2);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].seq, 3);  // the newest two before seq 5, oldest first
  EXPECT_EQ((*page)[1].seq, 4);
  EXPECT_EQ(*store_->messages().lastSeq(room->id), 5);
  ASSERT_TRUE(store_->messages().raiseSeqFloor(room->id, 1000).ok());
  ASSERT_TRUE(store_->messages().raiseSeqFloor(room->id, 10).ok());  // never lowers
  EXPECT_EQ(*store_->messages().seqFloor(room->id), 1000);
}

TEST_P(StoreContractTest, ASecondUseOfASeqConflictsAndStoresNothingOfTheBatch) {
  auto u = makeUser("Anna");
  auto room = store_->rooms().create({"slug00005", u.id, "T", "", "https://v.test/a.mp4", "public",
                                      "", "", std::nullopt, 120, "live", fromUnixMillis(0)});
  ASSERT_TRUE(room.ok());
  ASSERT_TRUE(store_->messages()
                  .appendBatch({{room->id, 1, "user:1", "Anna", "a", "first", fromUnixMillis(1)}})
                  .ok());
  auto clash = store_->messages().appendBatch(
      {{room->id, 2, "user:1", "Anna", "b", "second", fromUnixMillis(2)},
       {room->id, 1, "user:1", "Anna", "c", "same seq", fromUnixMillis(3)}});
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.error().kind, ErrorKind::kConflict);
  auto page = store_->messages().page(room->id, std::nullopt, 10);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 1u);  // the batch is one transaction: "second" was not kept either
  EXPECT_EQ((*page)[0].text, "first");
}

TEST_P(StoreContractTest, AssetsAreReusedUnlessFailedAndPlaybackIsKept) {
  auto u = makeUser("Anna");
  AssetRecord a;
  a.id = "asset1";
  a.source_url = "https://v.test/a.mp4";
  a.state = "queued";
  a.history = "[]";
  ASSERT_TRUE(store_->assets().create(a).ok());
  EXPECT_EQ(store_->assets().findReusable(a.source_url)->id, "asset1");
  a.state = "failed";
  a.error = "404";
  a.eta_s = 5;
  a.duration_s = 12.5;
  ASSERT_TRUE(store_->assets().update(a).ok());
  EXPECT_FALSE(store_->assets().findReusable(a.source_url).ok());
  auto back = store_->assets().find("asset1");
  EXPECT_EQ(back->error, "404");
  EXPECT_EQ(back->eta_s, 5);
  EXPECT_EQ(back->duration_s, 12.5);
  EXPECT_TRUE(store_->assets().listUnfinished()->empty());

  auto room = store_->rooms().create({"slug00002", u.id, "T", "", a.source_url, "private", "", "",
                                      std::nullopt, 120, "live", fromUnixMillis(0)});
  ASSERT_TRUE(store_->assets().attachToRoom(room->id, "asset1").ok());
  EXPECT_FALSE(*store_->assets().usedByPublicRoom("asset1"));
  EXPECT_EQ(store_->rooms().findBySlug("slug00002")->asset_id, "asset1");

  PlaybackEventRecord e;
  e.room_id = room->id;
  e.seq = 7;
  e.action = "seek";
  e.position_s = 61.5;
  e.by_principal = "user:1";
  ASSERT_TRUE(store_->playback().append({e}).ok());
  e.seq = 8;
  e.action = "play";
  e.playing = true;
  ASSERT_TRUE(store_->playback().append({e}).ok());
  auto last = store_->playback().last(room->id);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->action, "play");
  EXPECT_DOUBLE_EQ(last->position_s, 61.5);
  EXPECT_EQ(store_->playback().all(room->id)->size(), 2u);
  ASSERT_TRUE(store_->playback().setPolicy(room->id, "host", "wait_for_all").ok());
  EXPECT_EQ(store_->rooms().findBySlug("slug00002")->control_policy, "host");
}

// Retention and deletion: a purged room is gone with its chat, grants and playback; its film goes
// too unless another room still shows it (or its job is still running).
TEST_P(StoreContractTest, APurgedRoomGoesWithEverythingOfItAndItsFilmOnlyWhenNoOtherRoomUsesIt) {
  auto u = makeUser("Anna");
  auto newRoom = [&](const std::string& slug) {
    return store_->rooms()
        .create({slug, u.id, "T", "", "https://v.test/a.mp4", "public", "", "", std::nullopt, 120,
                 "live", fromUnixMillis(0)})
        .value();
  };
  AssetRecord film;
  film.id = "shared1";
  film.source_url = "https://v.test/a.mp4";
  film.state = "ready";
  film.history = "[]";
  ASSERT_TRUE(store_->assets().create(film).ok());
  auto first = newRoom("slugpurge1");
  auto second = newRoom("slugpurge2");
  ASSERT_TRUE(store_->assets().attachToRoom(first.id, "shared1").ok());
  ASSERT_TRUE(store_->assets().attachToRoom(second.id, "shared1").ok());
  ASSERT_TRUE(store_->messages()
                  .appendBatch({{first.id, 1, "user:1", "Anna", "c1", "hi", fromUnixMillis(1)}})
                  .ok());
  ASSERT_TRUE(store_->rooms().putGrant({first.id, "user:1", "Anna", fromUnixMillis(1)}).ok());
  ASSERT_TRUE(store_->visits().open(first.id, "user:1", "Anna", fromUnixMillis(1)).ok());
  PlaybackEventRecord e;
  e.room_id = first.id;
  e.seq = 2;
  e.action = "play";
  e.by_principal = "user:1";
  ASSERT_TRUE(store_->playback().append({e}).ok());

  auto gone = store_->rooms().purge(first.id);
  ASSERT_TRUE(gone.ok()) << gone.error().message;
  EXPECT_TRUE(gone->empty()) << "the film is still shown in the second room";
  EXPECT_EQ(store_->rooms().findBySlug("slugpurge1").error().kind, ErrorKind::kNotFound);
  EXPECT_TRUE(store_->messages().page(first.id, std::nullopt, 10)->empty());
  EXPECT_EQ(store_->rooms().findGrant(first.id, "user:1").error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(store_->playback().last(first.id).error().kind, ErrorKind::kNotFound);
  EXPECT_TRUE(store_->visits().list(first.id)->empty()) << "who was there goes with the room";
  EXPECT_TRUE(store_->assets().find("shared1").ok());
  EXPECT_EQ(store_->rooms().purge(first.id).error().kind, ErrorKind::kNotFound);

  auto last = store_->rooms().purge(second.id);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(*last, std::vector<std::string>{"shared1"}) << "nobody shows it any more";
  EXPECT_EQ(store_->assets().find("shared1").error().kind, ErrorKind::kNotFound);

  auto after = newRoom("slugpurge4");
  EXPECT_GT(after.id, second.id) << "the id of the newest room, now deleted, is not given again";

  AssetRecord running = film;
  running.id = "running1";
  running.state = "packaging";
  ASSERT_TRUE(store_->assets().create(running).ok());
  auto third = newRoom("slugpurge3");
  ASSERT_TRUE(store_->assets().attachToRoom(third.id, "running1").ok());
  EXPECT_TRUE(store_->rooms().purge(third.id)->empty()) << "a job still running keeps its film";
  EXPECT_TRUE(store_->assets().find("running1").ok());
}

// "My rooms": what a person owns or has a grant for, private ones included, newest first.
TEST_P(StoreContractTest, AUsersRoomsAreTheOnesTheyOwnOrHaveAGrantFor) {
  auto anna = makeUser("Anna");
  auto bo = makeUser("Bo");
  auto room = [&](const std::string& slug, const UserRecord& owner, const std::string& visibility) {
    return store_->rooms()
        .create({slug, owner.id, "T " + slug, "", "https://v.test/a.mp4", visibility,
                 visibility == "private" ? "access_key" : "", visibility == "private" ? "h0" : "",
                 std::nullopt, 120, "live", fromUnixMillis(0)})
        .value();
  };
  auto annas = room("slugmine01", anna, "private");
  auto bos = room("slugmine02", bo, "private");
  room("slugmine03", bo, "public");  // Anna never came
  auto visited = room("slugmine04", bo, "public");
  const std::string principal = "user:" + std::to_string(anna.id);
  ASSERT_TRUE(store_->rooms().putGrant({bos.id, principal, "Anna", fromUnixMillis(1)}).ok());
  ASSERT_TRUE(store_->rooms().putGrant({visited.id, principal, "Anna", fromUnixMillis(2)}).ok());
  ASSERT_TRUE(store_->rooms().putGrant({annas.id, "guest:abc", "Gus", fromUnixMillis(3)}).ok());
  auto mine = store_->rooms().listForUser(anna.id, principal, 10);
  ASSERT_TRUE(mine.ok()) << mine.error().message;
  std::vector<std::string> slugs;
  for (const auto& r : *mine) slugs.push_back(r.slug);
  EXPECT_EQ(slugs, (std::vector<std::string>{"slugmine04", "slugmine02", "slugmine01"}));
  EXPECT_EQ(store_->rooms().listForUser(anna.id, principal, 1)->size(), 1u);

  ASSERT_TRUE(store_->rooms().setKey(annas.id, "password", "h1").ok());
  auto rekeyed = store_->rooms().findBySlug("slugmine01").value();
  EXPECT_EQ(rekeyed.key_kind, "password");
  EXPECT_EQ(rekeyed.key_hash, "h1");
  EXPECT_TRUE(store_->rooms().findGrant(annas.id, "guest:abc").ok()) << "grants stay";
  EXPECT_EQ(store_->rooms().setKey(999999, "password", "h").error().kind, ErrorKind::kNotFound);
}

TEST_P(StoreContractTest, RoomsEndedBeforeACutoffAreListedOldestEndFirst) {
  auto u = makeUser("Anna");
  auto make = [&](const std::string& slug, std::optional<std::int64_t> ended_ms) {
    auto r = store_->rooms()
                 .create({slug, u.id, "T", "", "https://v.test/a.mp4", "public", "", "",
                          std::nullopt, 120, "live", fromUnixMillis(0)})
                 .value();
    if (ended_ms) {
      r.status = "ended";
      r.ended_reason = "owner_ended";
      r.ended_at = fromUnixMillis(*ended_ms);
      EXPECT_TRUE(store_->rooms().update(r).ok());
    }
  };
  make("slugend003", 3000);
  make("slugend001", 1000);
  make("slugend009", 9000);
  make("sluglive01", std::nullopt);
  auto old = store_->rooms().listEndedBefore(fromUnixMillis(5000), 10);
  ASSERT_TRUE(old.ok());
  ASSERT_EQ(old->size(), 2u);
  EXPECT_EQ((*old)[0].slug, "slugend001");
  EXPECT_EQ((*old)[1].slug, "slugend003");
  EXPECT_EQ(store_->rooms().listEndedBefore(fromUnixMillis(5000), 1)->size(), 1u);
  EXPECT_TRUE(store_->rooms().listEndedBefore(fromUnixMillis(1000), 10)->empty()) << "strictly before";
}

TEST_P(StoreContractTest, GrantsAreFoundAndMoveWithARotatedGuest) {
  auto u = makeUser("Anna");
  auto a = store_->rooms().create({"slug00003", u.id, "A", "", "https://v.test/a.mp4", "private",
                                   "access_key", "h", std::nullopt, 120, "live", fromUnixMillis(0)});
  auto b = store_->rooms().create({"slug00004", u.id, "B", "", "https://v.test/b.mp4", "public",
                                   "", "", std::nullopt, 120, "live", fromUnixMillis(0)});
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(store_->rooms().putGrant({a->id, "guest:old", "Boris", fromUnixMillis(5)}).ok());
  ASSERT_TRUE(store_->rooms().putGrant({b->id, "guest:old", "Boris", fromUnixMillis(6)}).ok());
  ASSERT_TRUE(store_->rooms().putGrant({b->id, "guest:new", "Borya", fromUnixMillis(7)}).ok());
  auto found = store_->rooms().findGrant(a->id, "guest:old");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->display_name, "Boris");

  auto moved = store_->rooms().moveGrants("guest:old", "guest:new");
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(*moved, 1);  // room b: the new identity's own grant is kept
  EXPECT_EQ(store_->rooms().findGrant(a->id, "guest:new")->display_name, "Boris");
  EXPECT_EQ(store_->rooms().findGrant(b->id, "guest:new")->display_name, "Borya");
  EXPECT_EQ(store_->rooms().findGrant(a->id, "guest:old").error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(store_->rooms().findGrant(b->id, "guest:old").error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(*store_->rooms().moveGrants("guest:nobody", "guest:x"), 0);

  ASSERT_TRUE(store_->rooms().putGrant({b->id, "user:9", "Ann", fromUnixMillis(2)}).ok());
  auto everyone = store_->rooms().listGrants(b->id);
  ASSERT_TRUE(everyone.ok());
  ASSERT_EQ(everyone->size(), 2u);
  EXPECT_EQ((*everyone)[0].display_name, "Ann") << "in the order they came";
  EXPECT_EQ((*everyone)[1].display_name, "Borya");
  EXPECT_TRUE(store_->rooms().listGrants(b->id + 1000)->empty());
}

// The archive's "who was there and when": a visit opens with a person's first connection and
// closes with their last; one that is still open (the room moved to another node, they came back
// there) goes on rather than a second one opening; the room's end closes whatever is open.
TEST_P(StoreContractTest, VisitsRecordWhoWasInARoomAndWhenOneOpenVisitPerPerson) {
  using namespace std::chrono_literals;
  auto u = makeUser("Anna");
  auto room = store_->rooms()
                  .create({"slugvisit1", u.id, "T", "", "https://v.test/a.mp4", "public", "", "",
                           std::nullopt, 120, "live", fromUnixMillis(0)})
                  .value();
  auto& visits = store_->visits();
  const auto t0 = fromUnixMillis(1'800'000'000'000);
  auto ann = visits.open(room.id, "user:1", "Anna", t0);
  ASSERT_TRUE(ann.ok()) << ann.error().message;
  EXPECT_EQ(ann->joined_at, t0);
  EXPECT_FALSE(ann->left_at.has_value());
  ASSERT_TRUE(visits.open(room.id, "guest:g1", "Gus", t0 + 1min).ok());
  auto again = visits.open(room.id, "user:1", "Anna K", t0 + 2min);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id, ann->id) << "the open visit goes on";
  EXPECT_EQ(again->joined_at, t0);
  EXPECT_EQ(again->display_name, "Anna K");

  ASSERT_TRUE(visits.close(room.id, "guest:g1", t0 + 10min).ok());
  ASSERT_TRUE(visits.close(room.id, "guest:g1", t0 + 11min).ok()) << "nothing open: no change";
  ASSERT_TRUE(visits.open(room.id, "guest:g1", "Gus", t0 + 20min).ok());
  ASSERT_TRUE(visits.close(room.id, "guest:nobody", t0 + 20min).ok());

  auto closed = visits.closeAll(room.id, t0 + 30min);
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(*closed, 2) << "Anna's and Gus's second visit";
  EXPECT_EQ(*visits.closeAll(room.id, t0 + 31min), 0);

  auto all = visits.list(room.id);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].principal, "user:1");
  EXPECT_EQ((*all)[0].left_at, t0 + 30min);
  EXPECT_EQ((*all)[1].principal, "guest:g1");
  EXPECT_EQ((*all)[1].joined_at, t0 + 1min);
  EXPECT_EQ((*all)[1].left_at, t0 + 10min);
  EXPECT_EQ((*all)[2].joined_at, t0 + 20min);
  EXPECT_EQ((*all)[2].left_at, t0 + 30min);
  EXPECT_TRUE(visits.list(room.id + 1000)->empty());

  ASSERT_TRUE(visits.open(room.id, "user:2", "Bob", t0 + 40min).ok());
  ASSERT_TRUE(visits.close(room.id, "user:2", t0 + 39min).ok());
  EXPECT_EQ(visits.list(room.id)->back().left_at, t0 + 40min) << "never left before it joined";
}

TEST_P(StoreContractTest, ALeaseHasOneHolderUntilItExpiresAndItsTokenGrowsWithEachNewHolder) {
  using namespace std::chrono_literals;
  auto& leases = store_->leases();
  const auto t0 = fromUnixMillis(1'000'000);
  EXPECT_EQ(leases.find("room:1").error().kind, ErrorKind::kNotFound);

  auto a = leases.acquire("room:1", "node-a", t0, 3s);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->holder, "node-a");
  EXPECT_EQ(a->expires_at, t0 + 3s);
  const std::int64_t first = a->token;

  auto b = leases.acquire("room:1", "node-b", t0 + 1s, 3s);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->holder, "node-a") << "a live lease is not taken";
  EXPECT_EQ(b->token, first);

  auto renewed = leases.acquire("room:1", "node-a", t0 + 2s, 3s);
  ASSERT_TRUE(renewed.ok());
  EXPECT_EQ(renewed->token, first) << "a renewal keeps the token";
  EXPECT_EQ(renewed->expires_at, t0 + 5s);

  auto taken = leases.acquire("room:1", "node-b", t0 + 5s, 3s);
  ASSERT_TRUE(taken.ok());
  EXPECT_EQ(taken->holder, "node-b") << "an expired lease is taken";
  EXPECT_GT(taken->token, first);

  auto late = leases.acquire("room:1", "node-a", t0 + 6s, 3s);
  EXPECT_EQ(late->holder, "node-b") << "the old holder does not get it back while it is live";

  // Releasing needs the current token; then anyone may take it, with a new token.
  ASSERT_TRUE(leases.release("room:1", "node-b", first).ok());
  EXPECT_EQ(leases.find("room:1")->holder, "node-b");
  EXPECT_EQ(leases.acquire("room:1", "node-a", t0 + 6s, 3s)->holder, "node-b");
  ASSERT_TRUE(leases.release("room:1", "node-b", taken->token).ok());
  auto after = leases.acquire("room:1", "node-a", t0 + 6s, 3s);
  EXPECT_EQ(after->holder, "node-a");
  EXPECT_GT(after->token, taken->token);
}

// The holder that could not reach the store for longer than the ttl keeps the lease (and its token)
// when nobody took it meanwhile; once another node took it, or it was released, renewing fails.
TEST_P(StoreContractTest, AHolderRenewsItsLeaseAfterAnOutageUnlessSomeoneTookItOrItWasReleased) {
  using namespace std::chrono_literals;
  auto& leases = store_->leases();
  const auto t0 = fromUnixMillis(1'000'000);
  auto a = leases.acquire("room:1", "node-a", t0, 3s);
  ASSERT_TRUE(a.ok());

  auto late = leases.renew("room:1", "node-a", a->token, t0 + 10s, 3s);  // expired at t0 + 3 s
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->holder, "node-a");
  EXPECT_EQ(late->token, a->token) << "the writes fenced by the token stay valid";
  EXPECT_EQ(late->expires_at, t0 + 13s);
  EXPECT_EQ(leases.acquire("room:1", "node-b", t0 + 11s, 3s)->holder, "node-a")
      << "renewed: live again, not taken";

  auto wrong = leases.renew("room:1", "node-a", a->token + 1, t0 + 12s, 3s);
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(wrong->expires_at, t0 + 13s) << "another token does not extend it";

  auto taken = leases.acquire("room:1", "node-b", t0 + 20s, 3s);
  ASSERT_EQ(taken->holder, "node-b");
  auto lost = leases.renew("room:1", "node-a", a->token, t0 + 21s, 3s);
  ASSERT_TRUE(lost.ok());
  EXPECT_EQ(lost->holder, "node-b") << "taken over: the old holder's renewal changes nothing";
  EXPECT_EQ(lost->token, taken->token);

  ASSERT_TRUE(leases.release("room:1", "node-b", taken->token).ok());
  auto released = leases.renew("room:1", "node-b", taken->token, t0 + 22s, 3s);
  ASSERT_TRUE(released.ok());
  EXPECT_LE(released->expires_at, t0 + 22s) << "a released lease stays released";
  EXPECT_EQ(leases.renew("room:2", "node-a", 1, t0, 3s).error().kind, ErrorKind::kNotFound);
}

TEST_P(StoreContractTest, LeasesHeldByANodeAreListedByPrefixWhileLive) {
  using namespace std::chrono_literals;
  auto& leases = store_->leases();
  const auto t0 = fromUnixMillis(2'000'000);
  ASSERT_TRUE(leases.acquire("room:1", "n1", t0, 3s).ok());
  ASSERT_TRUE(leases.acquire("room:2", "n1", t0, 10s).ok());
  ASSERT_TRUE(leases.acquire("room:3", "n2", t0, 10s).ok());
  ASSERT_TRUE(leases.acquire("job:sweeper", "n1", t0, 10s).ok());
  auto held = leases.heldBy("n1", "room:", t0 + 5s);
  ASSERT_TRUE(held.ok());
  ASSERT_EQ(held->size(), 1u) << "room:1 expired, room:3 is n2's, job:sweeper is no room";
  EXPECT_EQ((*held)[0].name, "room:2");
}

// A node that lost a room's lease (it expired and another node took it) writes nothing for the
// room any more: its chat, playback and seq floor writes are refused whole; the new holder's go
// through, and unfenced writes are unaffected.
TEST_P(StoreContractTest, AWriteFencedByALostLeaseStoresNothingAndTheCurrentHolderWrites) {
  using namespace std::chrono_literals;
  auto u = makeUser("Anna");
  auto room = store_->rooms().create({"slug00010", u.id, "T", "", "https://v.test/a.mp4", "public",
                                      "", "", std::nullopt, 120, "live", fromUnixMillis(0)});
  ASSERT_TRUE(room.ok());
  const std::string lease = "room:" + std::to_string(room->id);
  const auto t0 = fromUnixMillis(3'000'000);
  auto old_lease = store_->leases().acquire(lease, "node-a", t0, 3s);
  ASSERT_TRUE(old_lease.ok());
  const Fence stale{lease, "node-a", old_lease->token};
  ASSERT_TRUE(store_->messages()
                  .appendBatch({{room->id, 1, "user:1", "Anna", "a1", "while held", t0}}, stale)
                  .ok())
      << "the holder writes while it holds the lease";

  auto new_lease = store_->leases().acquire(lease, "node-b", t0 + 4s, 3s);  // a expired, b took it
  ASSERT_EQ(new_lease->holder, "node-b");
  const Fence current{lease, "node-b", new_lease->token};

  auto chat =
      store_->messages().appendBatch({{room->id, 2, "user:1", "Anna", "a2", "late", t0 + 5s},
                                      {room->id, 3, "user:1", "Anna", "a3", "later", t0 + 5s}},
                                     stale);
  ASSERT_FALSE(chat.ok());
  EXPECT_EQ(chat.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(chat.error().code, "lease_lost");
  PlaybackEventRecord e;
  e.room_id = room->id;
  e.seq = 4;
  e.action = "play";
  e.created_at = t0 + 5s;
  auto play = store_->playback().append({e}, stale);
  ASSERT_FALSE(play.ok());
  EXPECT_EQ(play.error().code, "lease_lost");
  auto floor = store_->messages().raiseSeqFloor(room->id, 500, stale);
  ASSERT_FALSE(floor.ok());
  EXPECT_EQ(floor.error().code, "lease_lost");
  // The same holder name with an older token is refused too (it lost the lease in between), as
  // is a lease that was never taken.
  EXPECT_EQ(store_->messages().raiseSeqFloor(room->id, 500, {lease, "node-b", 0}).error().code,
            "lease_lost");
  EXPECT_EQ(
      store_->messages().raiseSeqFloor(room->id, 500, {"room:none", "node-b", 1}).error().code,
      "lease_lost");

  EXPECT_EQ(*store_->messages().lastSeq(room->id), 1) << "nothing of the stale batch was stored";
  EXPECT_FALSE(store_->playback().last(room->id).ok());
  EXPECT_EQ(*store_->messages().seqFloor(room->id), 0);

  ASSERT_TRUE(
      store_->messages()
          .appendBatch({{room->id, 2, "user:1", "Anna", "b2", "new owner", t0 + 5s}}, current)
          .ok());
  ASSERT_TRUE(store_->playback().append({e}, current).ok());
  ASSERT_TRUE(store_->messages().raiseSeqFloor(room->id, 500, current).ok());
  EXPECT_EQ(*store_->messages().lastSeq(room->id), 2);
  EXPECT_EQ(store_->playback().last(room->id)->seq, 4);
  EXPECT_EQ(*store_->messages().seqFloor(room->id), 500);

  // Unfenced writes (one node, or a caller that guards nothing) still work.
  ASSERT_TRUE(store_->messages()
                  .appendBatch({{room->id, 3, "user:1", "Anna", "c3", "unfenced", t0 + 6s}})
                  .ok());
  e.seq = 5;
  ASSERT_TRUE(store_->playback().append({e}).ok());
  ASSERT_TRUE(store_->messages().raiseSeqFloor(room->id, 600).ok());
  EXPECT_EQ(*store_->messages().lastSeq(room->id), 3);
  EXPECT_EQ(*store_->messages().seqFloor(room->id), 600);
}

TEST_P(StoreContractTest, AnAssetUpdateFencedByALostLeaseChangesNothing) {
  using namespace std::chrono_literals;
  AssetRecord a;
  a.id = "asset9";
  a.source_url = "https://v.test/9.mp4";
  a.state = "queued";
  a.history = "[]";
  ASSERT_TRUE(store_->assets().create(a).ok());
  const auto t0 = fromUnixMillis(4'000'000);
  auto first = store_->leases().acquire("ingest:asset9", "node-a", t0, 3s);
  auto second = store_->leases().acquire("ingest:asset9", "node-b", t0 + 3s, 3s);
  ASSERT_EQ(second->holder, "node-b");
  a.state = "downloading";
  auto stale = store_->assets().update(a, {"ingest:asset9", "node-a", first->token});
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, "lease_lost");
  EXPECT_EQ(store_->assets().find("asset9")->state, "queued");
  ASSERT_TRUE(store_->assets().update(a, {"ingest:asset9", "node-b", second->token}).ok());
  EXPECT_EQ(store_->assets().find("asset9")->state, "downloading");
}

// Two Kino nodes placing one room's call agree on one Janus node: the first placement wins, a move
// happens only from the node the mover saw, and forgetting needs the node still recorded.
TEST_P(StoreContractTest, ARoomsCallIsPlacedOnceAndMovedOnlyFromTheNodeTheMoverSaw) {
  using namespace std::chrono_literals;
  auto u = makeUser("Anna");
  auto room = store_->rooms().create({"slug00011", u.id, "T", "", "https://v.test/a.mp4", "public",
                                      "", "", std::nullopt, 120, "live", fromUnixMillis(0)});
  ASSERT_TRUE(room.ok());
  auto& book = store_->mediaPlacements();
  const auto t0 = fromUnixMillis(5'000'000);
  EXPECT_EQ(book.find(room->id).error().kind, ErrorKind::kNotFound);

  auto first = book.place(room->id, "10.0.0.1:8188", t0);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->janus_node, "10.0.0.1:8188");
  EXPECT_EQ(first->placed_at, t0);
  auto second = book.place(room->id, "10.0.0.2:8188", t0 + 1s);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->janus_node, "10.0.0.1:8188") << "the loser reads the winner's choice";
  EXPECT_EQ(second->placed_at, t0);

  auto moved = book.move(room->id, "10.0.0.1:8188", "10.0.0.2:8188", t0 + 2s);
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->janus_node, "10.0.0.2:8188");
  auto late = book.move(room->id, "10.0.0.1:8188", "10.0.0.3:8188", t0 + 3s);
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->janus_node, "10.0.0.2:8188") << "moved from a node no longer recorded: nothing";
  EXPECT_EQ(book.find(room->id)->placed_at, t0 + 2s);

  ASSERT_TRUE(book.forget(room->id, "10.0.0.1:8188").ok());
  EXPECT_EQ(book.find(room->id)->janus_node, "10.0.0.2:8188") << "not the node recorded: kept";
  ASSERT_TRUE(book.forget(room->id, "10.0.0.2:8188").ok());
  EXPECT_EQ(book.find(room->id).error().kind, ErrorKind::kNotFound);
  ASSERT_TRUE(book.forget(room->id, "10.0.0.2:8188").ok());
  auto fresh = book.move(room->id, "10.0.0.9:8188", "10.0.0.3:8188", t0 + 4s);
  EXPECT_EQ(fresh->janus_node, "10.0.0.3:8188") << "a move of an unplaced room places it";
}

// Rate-limited events (shared by every node's limiters): a key counts only its events inside the
// window, never holds more than the limit, and says which event must leave for one more to fit.
TEST_P(StoreContractTest, RateEventsAreCountedInTheWindowAndNeverPastTheLimit) {
  using namespace std::chrono_literals;
  auto& events = store_->rateEvents();
  const auto t0 = fromUnixMillis(7'000'000);
  const auto window = std::chrono::milliseconds(60s);
  auto consume = [&](std::string_view key, common::TimePoint at, bool record = true) {
    auto r = events.consume(key, 3, window, at, record);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.value();
  };
  EXPECT_EQ(consume("login_ip:a", t0, false).count, 0) << "a check adds nothing";
  EXPECT_EQ(consume("login_ip:a", t0).count, 0);
  auto second = consume("login_ip:a", t0 + 10s);
  EXPECT_EQ(second.count, 1);
  EXPECT_FALSE(second.limiting_event.has_value()) << "below the limit";
  EXPECT_EQ(consume("login_ip:a", t0 + 20s).count, 2);
  auto full = consume("login_ip:a", t0 + 30s);
  EXPECT_EQ(full.count, 3) << "the refused event is not added";
  EXPECT_EQ(full.limiting_event, t0);
  EXPECT_EQ(consume("login_ip:b", t0 + 30s).count, 0) << "keys are counted apart";

  EXPECT_EQ(consume("login_ip:a", t0 + 60s, false).count, 2) << "the first left the window";
  auto again = consume("login_ip:a", t0 + 60s);
  EXPECT_EQ(again.count, 2);
  auto full_again = consume("login_ip:a", t0 + 61s, false);
  EXPECT_EQ(full_again.count, 3);
  EXPECT_EQ(full_again.limiting_event, t0 + 10s);

  ASSERT_TRUE(events.reset("login_ip:a").ok());
  EXPECT_EQ(consume("login_ip:a", t0 + 61s, false).count, 0);
  ASSERT_TRUE(events.reset("login_ip:never").ok());

  consume("login_ip:c", t0 + 100s);
  auto purged = events.purgeBefore(t0 + 100s);
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 1) << "login_ip:b's event at t0 + 30s";
  EXPECT_EQ(consume("login_ip:c", t0 + 100s, false).count, 1) << "an event at the bound is kept";
}

INSTANTIATE_TEST_SUITE_P(Adapters, StoreContractTest, ::testing::ValuesIn(kAdapters),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

// The database holds password hashes, sessions and chat: only Kino's own user may read it.
TEST(SqliteStoreTest, TheDatabaseFilesAreReadableByTheirOwnerOnly) {
  const fs::path dir = fs::temp_directory_path() / ("kino-mode-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path db = dir / "kino.db";
  {
    auto store = openSqliteStore(db);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->migrate().ok());
    for (const fs::path& f : {db, fs::path(db.string() + "-wal")}) {
      ASSERT_TRUE(fs::exists(f)) << f;
      EXPECT_EQ(fs::status(f).permissions() & fs::perms::all,
                fs::perms::owner_read | fs::perms::owner_write)
          << f;
    }
  }
  // An installation created before this rule is tightened when Kino opens it.
  fs::permissions(db, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                          fs::perms::others_read);
  ASSERT_TRUE(openSqliteStore(db).ok());
  EXPECT_EQ(fs::status(db).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  fs::remove_all(dir);
}

// A kino.db written by an older Kino (here: schema 4, before seq floors and playback) migrates
// forward and keeps its rows.
TEST(SqliteStoreTest, AnOlderDatabaseMigratesForwardAndKeepsItsRows) {
  const fs::path dir = fs::temp_directory_path() / ("kino-old-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path db = dir / "kino.db";
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
    std::string sql = "BEGIN;";
    for (int v = 0; v < 4; ++v) sql += std::string(sqlFor(migrations()[v], Engine::kSqlite));
    sql +=
        "INSERT INTO users (id, username, username_key, display_name, password_hash, created_at)"
        " VALUES (7, 'Olga', 'olga', 'Olga', 'h', 5);"
        "PRAGMA user_version = 4; COMMIT;";
    ASSERT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(raw);
    sqlite3_close(raw);
  }
  auto store = openSqliteStore(db);
  ASSERT_TRUE(store.ok());
  auto version = (*store)->migrate();
  ASSERT_TRUE(version.ok()) << version.error().message;
  EXPECT_EQ(*version, static_cast<int>(migrations().size()));
  auto olga = (*store)->users().findByUsername("olga");
  ASSERT_TRUE(olga.ok());
  EXPECT_EQ(olga->id, 7);
  auto room = (*store)->rooms().create({"slug00009", 7, "T", "", "https://v.test/a.mp4", "public",
                                        "", "", std::nullopt, 120, "live", fromUnixMillis(0)});
  ASSERT_TRUE(room.ok());
  EXPECT_EQ(room->control_policy, "everyone");  // a column migration 6 added
  EXPECT_TRUE((*store)->messages().raiseSeqFloor(room->id, 3).ok());
  EXPECT_EQ(*(*store)->messages().seqFloor(room->id), 3);
  store->reset();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace kino::storage
