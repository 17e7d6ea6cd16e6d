// Moving a single-node installation to PostgreSQL (copySqliteToPostgres, `kino migrate --from
// sqlite:… --to postgres:…`): every row arrives with its ids and times, the copy can be used at
// once (new ids above the copied ones, old chat resends still recognised), and a non-empty target
// is refused untouched. Against a real PostgreSQL (tests/lib/pg_server.hpp).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "kino/storage/postgres_store.hpp"
#include "kino/storage/sqlite_store.hpp"
#include "lib/pg_server.hpp"

namespace kino::storage {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

common::TimePoint utc(int y, unsigned m, unsigned d) {
  using namespace std::chrono;
  return sys_days(year(y) / month(m) / day(d)) + 12h + 345ms;
}

class PostgresCopyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kino-copy-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto s = openSqliteStore(dir_ / "kino.db");
    ASSERT_TRUE(s.ok());
    sqlite_ = std::move(s).value();
    ASSERT_TRUE(sqlite_->migrate().ok());
    db_ = testlib::sharedPgServer().createDatabase();
  }
  void TearDown() override { fs::remove_all(dir_); }

  PostgresOptions target() const { return {.url = testlib::sharedPgServer().url(db_)}; }

  std::unique_ptr<Store> openTarget() {
    auto s = openPostgresStore(target());
    EXPECT_TRUE(s.ok());
    return std::move(s).value();
  }

  // An installation with a bit of everything: two accounts, a session, a video, a public room and
  // a scheduled private one, grants, chat over three months, playback changes and policies.
  void fill() {
    auto& st = *sqlite_;
    ann_ = st.users().create({"Ann", "Ann Ö", "$argon2id$ann", utc(2025, 1, 2)}).value();
    bob_ = st.users().create({"bob", "Bob", "$argon2id$bob", utc(2025, 1, 3)}).value();
    ASSERT_TRUE(st.sessions().create({"abc123", ann_.id, utc(2026, 11, 1), utc(2026, 12, 31)}).ok());
    AssetRecord a{"asset0000000000000001", "https://videos.example/film.mp4", "ready", 100, 3, "",
                  true, 754.125, R"([{"state":"queued","at":"2025-01-02T12:00:00Z"}])", 2,
                  utc(2025, 1, 2), utc(2025, 1, 2) + 1min};
    ASSERT_TRUE(st.assets().create(a).ok());
    ASSERT_TRUE(st.assets().update(a).ok());  // create() stores a queued job; the rest comes later
    pub_ = st.rooms().create({"pub2345678", ann_.id, "Film night", "with snacks", a.source_url,
                              "public", "", "", std::nullopt, 120, "live", utc(2025, 1, 2)}).value();
    priv_ = st.rooms().create({"priv234567", bob_.id, "Secret", "", a.source_url, "private",
                               "password", "$argon2id$key", utc(2027, 3, 1), 90, "scheduled",
                               utc(2026, 6, 1)}).value();
    ASSERT_TRUE(st.assets().attachToRoom(pub_.id, a.id).ok());
    ASSERT_TRUE(st.rooms().putGrant({priv_.id, "user:1", "Ann Ö", utc(2026, 6, 2)}).ok());
    ASSERT_TRUE(st.rooms().putGrant({priv_.id, "guest:ffee", "Gus", utc(2026, 6, 3)}).ok());
    std::vector<NewMessage> chat;
    const common::TimePoint when[] = {utc(2025, 1, 2), utc(2026, 6, 15), utc(2026, 12, 1)};
    for (int i = 0; i < 30; ++i) {
      chat.push_back({pub_.id, 10 + i, i % 2 ? "user:2" : "user:1", i % 2 ? "Bob" : "Ann Ö",
                      "c" + std::to_string(i), "message «" + std::to_string(i) + "» 🎬",
                      when[i / 10] + std::chrono::seconds(i)});
    }
    ASSERT_TRUE(st.messages().appendBatch(chat).ok());
    ASSERT_TRUE(st.messages().raiseSeqFloor(pub_.id, 1000).ok());
    ASSERT_TRUE(st.playback().append({{pub_.id, 41, "play", true, 12.345678901234567, 1.25, 0.5,
                                       false, 1'735'819'200'123, "user:1", "Ann Ö", utc(2025, 1, 2)},
                                      {pub_.id, 42, "pause", false, 99.1, 1.0, 0.75, true,
                                       1'781'000'000'000, "", "", utc(2026, 6, 15)}})
                    .ok());
    ASSERT_TRUE(st.playback().setPolicy(pub_.id, "host", "wait_for_all").ok());
    ASSERT_TRUE(st.visits().open(pub_.id, "user:2", "Bob", utc(2025, 1, 2)).ok());
    ASSERT_TRUE(st.visits().close(pub_.id, "user:2", utc(2025, 1, 2) + 5min).ok());
    ASSERT_TRUE(st.visits().open(pub_.id, "user:1", "Ann Ö", utc(2025, 1, 2) + 1min).ok());
  }

  fs::path dir_;
  std::string db_;
  std::unique_ptr<Store> sqlite_;
  UserRecord ann_, bob_;
  RoomRecord pub_, priv_;
};

void expectSameRoom(const RoomRecord& a, const RoomRecord& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.slug, b.slug);
  EXPECT_EQ(a.owner_id, b.owner_id);
  EXPECT_EQ(a.owner_display_name, b.owner_display_name);
  EXPECT_EQ(a.title, b.title);
  EXPECT_EQ(a.description, b.description);
  EXPECT_EQ(a.visibility, b.visibility);
  EXPECT_EQ(a.key_kind, b.key_kind);
  EXPECT_EQ(a.key_hash, b.key_hash);
  EXPECT_EQ(a.starts_at, b.starts_at);
  EXPECT_EQ(a.duration_minutes, b.duration_minutes);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.last_active_at, b.last_active_at);
  EXPECT_EQ(a.asset_id, b.asset_id);
  EXPECT_EQ(a.control_policy, b.control_policy);
  EXPECT_EQ(a.buffering_policy, b.buffering_policy);
}

TEST_F(PostgresCopyTest, EveryRowArrivesWithItsIdsTimesAndValues) {
  fill();
  auto report = copySqliteToPostgres(dir_ / "kino.db", target());
  ASSERT_TRUE(report.ok()) << report.error().message;
  std::map<std::string, std::int64_t> rows;
  for (const auto& t : report->tables) rows[t.name] = t.rows;
  EXPECT_EQ(rows["users"], 2);
  EXPECT_EQ(rows["messages"], 30);
  EXPECT_EQ(rows["playback_events"], 2);
  EXPECT_EQ(rows["room_grants"], 2);
  EXPECT_EQ(rows["room_visits"], 2);

  auto pg = openTarget();
  auto& st = *sqlite_;
  for (const auto& u : {ann_, bob_}) {
    auto got = pg->users().findById(u.id);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->username, u.username);
    EXPECT_EQ(got->display_name, u.display_name);
    EXPECT_EQ(got->password_hash, u.password_hash);
    EXPECT_EQ(got->created_at, u.created_at);
  }
  EXPECT_TRUE(pg->users().findByUsername("ANN").ok()) << "usernames still match in any case";
  auto session = pg->sessions().find("abc123");
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->user_id, ann_.id);
  EXPECT_EQ(session->expires_at, utc(2026, 12, 31));
  for (const char* slug : {"pub2345678", "priv234567"}) {
    expectSameRoom(*pg->rooms().findBySlug(slug), *st.rooms().findBySlug(slug));
  }
  auto grant = pg->rooms().findGrant(priv_.id, "guest:ffee");
  ASSERT_TRUE(grant.ok());
  EXPECT_EQ(grant->display_name, "Gus");
  auto asset = pg->assets().find("asset0000000000000001");
  ASSERT_TRUE(asset.ok());
  EXPECT_TRUE(asset->playable);
  EXPECT_EQ(asset->duration_s, 754.125);
  EXPECT_EQ(asset->eta_s, 3);
  EXPECT_EQ(asset->history, R"([{"state":"queued","at":"2025-01-02T12:00:00Z"}])");
  auto mine = st.messages().page(pub_.id, std::nullopt, 100).value();
  auto theirs = pg->messages().page(pub_.id, std::nullopt, 100).value();
  ASSERT_EQ(theirs.size(), mine.size());
  for (std::size_t i = 0; i < mine.size(); ++i) {
    EXPECT_EQ(theirs[i].id, mine[i].id);
    EXPECT_EQ(theirs[i].seq, mine[i].seq);
    EXPECT_EQ(theirs[i].principal, mine[i].principal);
    EXPECT_EQ(theirs[i].text, mine[i].text);
    EXPECT_EQ(theirs[i].sent_at, mine[i].sent_at);
  }
  EXPECT_EQ(pg->messages().seqFloor(pub_.id).value(), 1000);
  auto events = pg->playback().all(pub_.id).value();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].position_s, 12.345678901234567) << "reals arrive exactly";
  EXPECT_TRUE(events[0].playing);
  EXPECT_TRUE(events[1].muted);
  EXPECT_EQ(events[1].by_principal, "");
  auto visits = pg->visits().list(pub_.id).value();
  ASSERT_EQ(visits.size(), 2u);
  EXPECT_EQ(visits[0].principal, "user:2");
  EXPECT_EQ(visits[0].left_at, utc(2025, 1, 2) + 5min);
  EXPECT_EQ(visits[1].display_name, "Ann Ö");
  EXPECT_FALSE(visits[1].left_at.has_value()) << "an open visit stays open";
}

TEST_F(PostgresCopyTest, TheCopyIsLiveNewIdsFollowAndOldResendsAreRecognised) {
  fill();
  ASSERT_TRUE(copySqliteToPostgres(dir_ / "kino.db", target()).ok());
  auto pg = openTarget();
  auto carl = pg->users().create({"carl", "Carl", "$argon2id$c", utc(2026, 12, 7)});
  ASSERT_TRUE(carl.ok()) << carl.error().message;
  EXPECT_GT(carl->id, bob_.id);
  auto room = pg->rooms().create({"new2345678", carl->id, "New", "", "https://v.example/x.mp4",
                                  "public", "", "", std::nullopt, 60, "live", utc(2026, 12, 7)});
  ASSERT_TRUE(room.ok()) << room.error().message;
  EXPECT_GT(room->id, priv_.id);
  auto stored = pg->messages().appendBatch(
      {{pub_.id, 40, "user:1", "Ann Ö", "c0", "a resend of the first message", utc(2026, 12, 7)},
       {pub_.id, 1001, "user:1", "Ann Ö", "c-new", "new", utc(2026, 12, 7)}});
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  EXPECT_TRUE((*stored)[0].duplicate) << "a client id stored before the move is still known";
  EXPECT_FALSE((*stored)[1].duplicate);
  EXPECT_GT((*stored)[1].id, 30);
}

TEST_F(PostgresCopyTest, ANonEmptyTargetIsRefusedAndLeftAlone) {
  fill();
  ASSERT_TRUE(copySqliteToPostgres(dir_ / "kino.db", target()).ok());
  auto again = copySqliteToPostgres(dir_ / "kino.db", target());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "target_not_empty");
  EXPECT_EQ(openTarget()->messages().page(pub_.id, std::nullopt, 100)->size(), 30u);

  auto missing = copySqliteToPostgres(dir_ / "nothing-here" / "kino.db", target());
  ASSERT_FALSE(missing.ok());
}

}  // namespace
}  // namespace kino::storage
