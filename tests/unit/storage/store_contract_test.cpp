// The contract every Store adapter must pass. Add an adapter by adding a factory to kAdapters.
#include <gtest/gtest.h>

#include <filesystem>

#include "kino/storage/sqlite_store.hpp"

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
  EXPECT_GE(*again, 1);
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

INSTANTIATE_TEST_SUITE_P(Adapters, StoreContractTest, ::testing::ValuesIn(kAdapters),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace kino::storage
