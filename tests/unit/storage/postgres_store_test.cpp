// What the PostgreSQL adapter adds to the Store contract (store_contract_test.cpp): monthly
// partitions made by Kino, idempotent chat across months, retries across lost connections, the
// pool's bound, unreachable and read-only servers, and multi-host URLs. Against a real PostgreSQL
// (tests/lib/pg_server.hpp), a new database per test.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <set>
#include <thread>

#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include "kino/storage/migrations.hpp"
#include "kino/storage/postgres_store.hpp"
#include "lib/pg_server.hpp"

namespace kino::storage {
namespace {

using common::fromUnixMillis;
using namespace std::chrono_literals;

// "p202612" for the month of `t` plus `ahead` months, computed independently of the adapter.
std::string monthSuffix(common::TimePoint t, int ahead = 0) {
  using namespace std::chrono;
  const year_month_day ymd(floor<days>(t));
  const year_month ym = ymd.year() / ymd.month() + months(ahead);
  char out[16];
  std::snprintf(out, sizeof out, "p%04d%02u", static_cast<int>(ym.year()),
                static_cast<unsigned>(ym.month()));
  return out;
}

common::TimePoint utc(int y, unsigned m, unsigned d) {
  using namespace std::chrono;
  return sys_days(year(y) / month(m) / day(d)) + 12h;
}

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = pg().createDatabase();
    store_ = open({});
    ASSERT_TRUE(store_->migrate().ok());
  }

  static testlib::PgServer& pg() { return testlib::sharedPgServer(); }

  std::unique_ptr<Store> open(PostgresOptions options) {
    if (options.url.empty()) options.url = pg().url(db_);
    auto s = openPostgresStore(options);
    EXPECT_TRUE(s.ok()) << s.error().message;
    return std::move(s).value();
  }

  // Runs `sql` on the test's database from a connection of its own; returns the first column.
  std::vector<std::string> query(const std::string& sql) {
    pqxx::connection c(pg().url(db_));
    pqxx::nontransaction tx(c);
    std::vector<std::string> out;
    for (const auto& row : tx.exec(sql)) out.push_back(row[0].is_null() ? "" : row[0].c_str());
    return out;
  }

  std::set<std::string> partitionsOf(const std::string& table) {
    auto names = query(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = '" +
        table + "'");
    return {names.begin(), names.end()};
  }

  // Blocks until a backend of this database (other than the caller's) waits for a lock.
  std::string waitForBlockedBackend() {
    for (int i = 0; i < 100000; ++i) {
      auto pids = query("SELECT pid FROM pg_stat_activity WHERE datname = '" + db_ +
                        "' AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()");
      if (!pids.empty()) return pids[0];
      std::this_thread::yield();
    }
    ADD_FAILURE() << "no backend ever waited for the lock";
    return "0";
  }

  // Whether `n` backends of this database (other than the caller's) wait for a lock at once
  // within 10 s.
  bool waitForBlockedBackends(int n) {
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < until) {
      auto count = query("SELECT count(*) FROM pg_stat_activity WHERE datname = '" + db_ +
                         "' AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()");
      if (std::stoi(count[0]) >= n) return true;
      std::this_thread::yield();
    }
    return false;
  }

  std::int64_t makeRoom(const std::string& slug) {
    auto u = store_->users().create({"u" + slug, "U", "hash", fromUnixMillis(1)});
    EXPECT_TRUE(u.ok());
    auto room = store_->rooms().create({slug, u->id, "T", "", "https://v.test/a.mp4", "public", "",
                                        "", std::nullopt, 120, "live", fromUnixMillis(0)});
    EXPECT_TRUE(room.ok());
    return room->id;
  }

  std::string db_;
  std::unique_ptr<Store> store_;
};

TEST_F(PostgresStoreTest, MigrateRecordsEveryMigrationWithItsDescription) {
  auto versions = query("SELECT version || ' ' || description FROM schema_migrations ORDER BY 1");
  ASSERT_EQ(versions.size(), migrations().size());
  EXPECT_EQ(versions[0], "1 accounts and sessions");
}

TEST_F(PostgresStoreTest, MigrateCreatesThePartitionsOfThisMonthAndTheNextTwo) {
  const auto now = std::chrono::system_clock::now();
  for (const std::string table : {"messages", "playback_events"}) {
    const auto parts = partitionsOf(table);
    for (int ahead = 0; ahead < 3; ++ahead) {
      EXPECT_TRUE(parts.contains(table + "_" + monthSuffix(now, ahead)))
          << table << " has no partition for " << monthSuffix(now, ahead);
    }
  }
}

TEST_F(PostgresStoreTest, MaintainCreatesThePartitionsAheadOfAnyDateAcrossTheYearsEnd) {
  ASSERT_TRUE(store_->maintain(utc(2040, 11, 30)).ok());
  const auto parts = partitionsOf("messages");
  EXPECT_TRUE(parts.contains("messages_p204011"));
  EXPECT_TRUE(parts.contains("messages_p204012"));
  EXPECT_TRUE(parts.contains("messages_p204101"));
  EXPECT_TRUE(partitionsOf("playback_events").contains("playback_events_p204101"));
  ASSERT_TRUE(store_->maintain(utc(2040, 11, 30)).ok());  // again: nothing to do, no error
}

// Chosen behaviour: a write into a month that has no partition yet creates it (there is no default
// partition, whose rows would block creating that month's partition later).
TEST_F(PostgresStoreTest, AMessageInAMonthWithoutAPartitionCreatesItAndIsPaged) {
  const std::int64_t room = makeRoom("slugpart01");
  ASSERT_FALSE(partitionsOf("messages").contains("messages_p203105"));
  auto stored = store_->messages().appendBatch(
      {{room, 1, "user:1", "Anna", "c1", "from the future", utc(2031, 5, 17)}});
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  EXPECT_TRUE(partitionsOf("messages").contains("messages_p203105"));
  auto page = store_->messages().page(room, std::nullopt, 10);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].text, "from the future");
  EXPECT_EQ((*page)[0].sent_at, utc(2031, 5, 17));

  PlaybackEventRecord e;
  e.room_id = room;
  e.seq = 2;
  e.action = "play";
  e.created_at = utc(1999, 12, 31);
  ASSERT_TRUE(store_->playback().append({e}).ok());
  EXPECT_TRUE(partitionsOf("playback_events").contains("playback_events_p199912"));
  EXPECT_EQ(store_->playback().last(room)->action, "play");
}

TEST_F(PostgresStoreTest, AHistoryOverSeveralMonthsPagesInSeqOrder) {
  const std::int64_t room = makeRoom("slugpart02");
  std::vector<NewMessage> batch;
  for (int i = 1; i <= 6; ++i) {
    batch.push_back({room, i, "user:1", "Anna", "c" + std::to_string(i), "m" + std::to_string(i),
                     utc(2030, static_cast<unsigned>(1 + i / 2), 10)});  // months 1, 2, 2, 3, 3, 4
  }
  ASSERT_TRUE(store_->messages().appendBatch(batch).ok());
  auto page = store_->messages().page(room, 6, 3);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 3u);
  EXPECT_EQ((*page)[0].seq, 3);
  EXPECT_EQ((*page)[2].seq, 5);
  EXPECT_EQ(*store_->messages().lastSeq(room), 6);
}

// The idempotency key (room, principal, client_id) holds across partitions: a resend that arrives
// in the next month is recognised.
TEST_F(PostgresStoreTest, AResendInALaterMonthIsStillADuplicate) {
  const std::int64_t room = makeRoom("slugpart03");
  ASSERT_TRUE(store_->messages()
                  .appendBatch({{room, 1, "user:1", "Anna", "c1", "hello", utc(2030, 1, 31)}})
                  .ok());
  auto again =
      store_->messages().appendBatch({{room, 2, "user:1", "Anna", "c1", "hello", utc(2030, 2, 1)}});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE((*again)[0].duplicate);
  EXPECT_EQ((*again)[0].seq, 1);
  EXPECT_EQ(query("SELECT count(*) FROM messages")[0], "1");
}

// A connection killed in the middle of a transaction (the call waits on a lock when it happens):
// the whole transaction runs again on a new connection and the message is stored exactly once.
TEST_F(PostgresStoreTest, AConnectionKilledMidTransactionIsRetriedAndStoresOnce) {
  const std::int64_t room = makeRoom("slugkill01");
  pqxx::connection admin(pg().url(db_));
  pqxx::work lock(admin);
  lock.exec("LOCK TABLE message_keys IN EXCLUSIVE MODE");
  Result<std::vector<MessageRecord>> stored = Error::internal("not run");
  std::thread writer([&] {
    stored = store_->messages().appendBatch(
        {{room, 1, "user:1", "Anna", "c1", "hello", std::chrono::system_clock::now()}});
  });
  const std::string victim = waitForBlockedBackend();
  EXPECT_EQ(query("SELECT pg_terminate_backend(" + victim + ")")[0], "t");
  lock.commit();  // the retry now gets through
  writer.join();
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  EXPECT_FALSE((*stored)[0].duplicate);
  EXPECT_EQ(query("SELECT count(*) FROM messages")[0], "1");
  EXPECT_EQ(query("SELECT count(*) FROM message_keys")[0], "1");
}

TEST_F(PostgresStoreTest, EveryPooledConnectionKilledBetweenCallsIsReplaced) {
  const std::int64_t room = makeRoom("slugkill02");
  ASSERT_TRUE(store_->ping().ok());
  query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db_ +
        "' AND pid <> pg_backend_pid()");
  for (int i = 1; i <= 3; ++i) {
    auto r = store_->messages().appendBatch(
        {{room, i, "user:1", "Anna", "c" + std::to_string(i), "m", fromUnixMillis(i)}});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_FALSE((*r)[0].duplicate);
  }
  EXPECT_EQ(*store_->messages().lastSeq(room), 3);
  EXPECT_EQ(query("SELECT count(*) FROM messages")[0], "3");
}

TEST_F(PostgresStoreTest, NoFreeConnectionWithinTheWaitGivesStoreBusy) {
  auto small = open({.url = "", .pool_size = 1, .acquire_timeout = 100ms});
  pqxx::connection admin(pg().url(db_));
  pqxx::work lock(admin);
  lock.exec("LOCK TABLE users IN ACCESS EXCLUSIVE MODE");
  Result<UserRecord> slow = Error::internal("not run");
  std::thread holder([&] { slow = small->users().findById(1); });  // holds the only connection
  waitForBlockedBackend();
  auto busy = small->ping();
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(busy.error().code, "store_busy");
  lock.commit();
  holder.join();
  EXPECT_EQ(slow.error().kind, ErrorKind::kNotFound);  // it went through once the lock was gone
  EXPECT_TRUE(small->ping().ok());
}

TEST_F(PostgresStoreTest, AnUnreachableServerGivesUnavailableOnceTheRetryBudgetIsSpent) {
  auto dead = open({.url = "host=127.0.0.1 port=1 user=postgres dbname=x",
                    .pool_size = 1,
                    .acquire_timeout = 100ms,
                    .retry_budget = 200ms});
  auto r = dead->ping();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(r.error().code, "store_unavailable");
  EXPECT_EQ(dead->migrate().error().kind, ErrorKind::kUnavailable);
}

// A server that turned read-only (a primary demoted by a failover) is retried, then unavailable:
// never a plain error that would tell a user their data is wrong.
TEST_F(PostgresStoreTest, AReadOnlyServerIsRetriedThenUnavailable) {
  pg().exec("postgres", "ALTER DATABASE " + db_ + " SET default_transaction_read_only = on");
  auto ro = open({.url = "", .pool_size = 1, .acquire_timeout = 100ms, .retry_budget = 200ms});
  auto r = ro->users().create({"Zoe", "Zoe", "hash", fromUnixMillis(1)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kUnavailable);
  pg().exec("postgres", "ALTER DATABASE " + db_ + " SET default_transaction_read_only = off");
  EXPECT_TRUE(ro->users().create({"Zoe", "Zoe", "hash", fromUnixMillis(1)}).ok());
}

TEST_F(PostgresStoreTest, AMultiHostUrlConnectsToTheHostThatAcceptsWrites) {
  auto multi = open({.url = "host=127.0.0.1,127.0.0.1 port=1," + std::to_string(pg().port()) +
                            " user=postgres dbname=" + db_ + " target_session_attrs=read-write"});
  EXPECT_TRUE(multi->migrate().ok());
  EXPECT_TRUE(multi->users().create({"Multi", "M", "hash", fromUnixMillis(1)}).ok());
  EXPECT_EQ(store_->users().findByUsername("multi")->display_name, "M");
}

TEST_F(PostgresStoreTest, SeveralNodesMigratingAtOnceAllSucceed) {
  const std::string fresh = pg().createDatabase();
  std::vector<std::unique_ptr<Store>> nodes;
  for (int i = 0; i < 3; ++i) nodes.push_back(open({.url = pg().url(fresh)}));
  std::vector<Result<int>> results(nodes.size(), Error::internal("not run"));
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = nodes[i]->migrate(); });
  }
  for (auto& t : threads) t.join();
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(*r, static_cast<int>(migrations().size()));
  }
}

TEST(PostgresConninfoTest, UrisAndKeyValueStringsBecomeKeyValueWithTimeoutAndName) {
  auto uri =
      postgresConninfo("postgresql://kino@db1:5433,db2:5434/kino?target_session_attrs=read-write");
  ASSERT_TRUE(uri.ok()) << uri.error().message;
  EXPECT_NE(uri->find("host='db1,db2'"), std::string::npos) << *uri;
  EXPECT_NE(uri->find("port='5433,5434'"), std::string::npos) << *uri;
  EXPECT_NE(uri->find("target_session_attrs='read-write'"), std::string::npos) << *uri;
  EXPECT_NE(uri->find("connect_timeout=5"), std::string::npos) << *uri;
  EXPECT_NE(uri->find("application_name=kino"), std::string::npos) << *uri;
  EXPECT_NE(uri->find("keepalives_idle=10"), std::string::npos) << *uri;
  auto kv = postgresConninfo(R"(host=a connect_timeout=2 application_name=x password='it\'s')");
  ASSERT_TRUE(kv.ok()) << kv.error().message;
  EXPECT_NE(kv->find(R"(password='it\'s')"), std::string::npos) << *kv;
  EXPECT_EQ(kv->find("connect_timeout=5"), std::string::npos) << *kv;
  EXPECT_EQ(kv->find("application_name=kino"), std::string::npos) << *kv;
}

TEST(PostgresConninfoTest, AnUnparsableUrlIsRefusedWithoutRepeatingIt) {
  auto bad = postgresConninfo("postgresql://kino:s3cret@[db1/kino");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(bad.error().code, "invalid_postgres_url");
  EXPECT_EQ(bad.error().message.find("s3cret"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(postgresConninfo("nonsense_option=1").ok());
}

}  // namespace
}  // namespace kino::storage

namespace kino::storage {
namespace {

// Nodes racing for one lease (each with its own pool, as separate processes would): exactly one
// holds it afterwards, and every node is told who.
TEST_F(PostgresStoreTest, NodesRacingForALeaseLeaveExactlyOneHolder) {
  constexpr int kNodes = 8;
  std::vector<std::unique_ptr<Store>> nodes;
  for (int i = 0; i < kNodes; ++i) nodes.push_back(open({}));
  const auto now = common::fromUnixMillis(5'000'000);
  std::vector<std::string> seen(kNodes);
  std::vector<std::thread> threads;
  for (int i = 0; i < kNodes; ++i) {
    threads.emplace_back([&, i] {
      auto l = nodes[static_cast<std::size_t>(i)]->leases().acquire("room:7", "node-" + std::to_string(i),
                                                                   now, std::chrono::seconds(3));
      seen[static_cast<std::size_t>(i)] = l.ok() ? l->holder : "error: " + l.error().message;
    });
  }
  for (auto& t : threads) t.join();
  const std::string winner = store_->leases().find("room:7")->holder;
  int granted = 0;
  for (int i = 0; i < kNodes; ++i) {
    EXPECT_EQ(seen[static_cast<std::size_t>(i)], winner) << "node " << i << " is told the holder";
    granted += winner == "node-" + std::to_string(i);
  }
  EXPECT_EQ(granted, 1);
}

// Nodes counting one key at once are serialised: the limit holds exactly across the cluster.
TEST_F(PostgresStoreTest, NodesConsumingOneRateKeyAtOnceAddNoMoreThanTheLimit) {
  constexpr int kNodes = 8;
  constexpr int kEachTries = 5;
  std::vector<std::unique_ptr<Store>> nodes;
  for (int i = 0; i < kNodes; ++i) nodes.push_back(open({}));
  const auto now = common::fromUnixMillis(5'000'000);
  std::atomic<int> allowed{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kNodes; ++i) {
    threads.emplace_back([&, i] {
      for (int t = 0; t < kEachTries; ++t) {
        auto r = nodes[static_cast<std::size_t>(i)]->rateEvents().consume(
            "login_ip:203.0.113.7", 10, std::chrono::minutes(1), now, true);
        if (!r.ok()) ++failed;
        else if (r->count < 10) ++allowed;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(allowed.load(), 10);
  EXPECT_EQ(store_->rateEvents().consume("login_ip:203.0.113.7", 10, std::chrono::minutes(1), now,
                                         false)->count,
            10);
}

// The fence is checked in the write's own transaction and holds the lease row until it commits: a
// node taking over the lease meanwhile waits for the write, and the old holder's next write is
// refused. (Here the write is held up after its check by a lock on the chat key table.)
TEST_F(PostgresStoreTest, ALeaseCannotChangeHandsBetweenAFencedWritesCheckAndItsCommit) {
  const std::int64_t room = makeRoom("slugfence1");
  auto node_b = open({});
  const auto t0 = common::fromUnixMillis(6'000'000);
  auto held = store_->leases().acquire("room:x", "node-a", t0, 3s);
  ASSERT_TRUE(held.ok());
  const Fence fence{"room:x", "node-a", held->token};

  pqxx::connection admin(pg().url(db_));
  pqxx::work lock(admin);
  lock.exec("LOCK TABLE message_keys IN EXCLUSIVE MODE");
  Result<std::vector<MessageRecord>> written = Error::internal("not run");
  std::thread writer([&] {
    written = store_->messages().appendBatch({{room, 1, "user:1", "Anna", "c1", "a", t0}}, fence);
  });
  EXPECT_TRUE(waitForBlockedBackends(1)) << "the write checked its fence, waits for the key table";
  Result<LeaseRecord> taken = Error::internal("not run");
  std::atomic<bool> taken_early = false;
  std::thread taker([&] {
    taken = node_b->leases().acquire("room:x", "node-b", t0 + 5s, 3s);
    taken_early = true;
  });
  EXPECT_TRUE(waitForBlockedBackends(2)) << "the takeover waits for the write's hold on the lease";
  EXPECT_FALSE(taken_early.load()) << "the lease changed hands before the fenced write committed";
  lock.commit();
  writer.join();
  taker.join();
  ASSERT_TRUE(written.ok()) << written.error().message;
  ASSERT_TRUE(taken.ok());
  EXPECT_EQ(taken->holder, "node-b");
  auto late = store_->messages().appendBatch({{room, 2, "user:1", "Anna", "c2", "b", t0}}, fence);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, "lease_lost");
  EXPECT_EQ(*store_->messages().lastSeq(room), 1);
}

}  // namespace
}  // namespace kino::storage
