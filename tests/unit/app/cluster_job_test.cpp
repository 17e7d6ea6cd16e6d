// Singleton periodic jobs over the leases of one store: two "nodes" (two ClusterJobs with their own
// node ids) tick every period on a fake clock; exactly one runs the task each period, and when it
// stops without releasing (a SIGKILL), the other takes over once the lease has expired. Also on
// PostgreSQL with two stores (two pools, as two processes would have) on one database.
#include "kino/app/cluster_job.hpp"

#include <gtest/gtest.h>

#include "fakes/fake_clock.hpp"
#include "fakes/seeded_random.hpp"
#include "kino/storage/postgres_store.hpp"
#include "kino/storage/sqlite_store.hpp"
#include "lib/pg_server.hpp"

namespace kino::app {
namespace {

using namespace std::chrono_literals;

constexpr auto kPeriod = std::chrono::milliseconds(15s);

std::unique_ptr<storage::Store> memoryStore() {
  auto store = std::move(storage::openSqliteStore(":memory:")).value();
  EXPECT_TRUE(store->migrate().ok());
  return store;
}

struct Node {
  Node(storage::Store& store, const common::Clock& clock, const std::string& id)
      : job(store.leases(), clock, id, "rooms.sweep", kPeriod, [this] { ++runs; }) {}
  int runs = 0;
  ClusterJob job;
};

// Ticks both nodes once per period for `periods` periods (a ticking first, then b, alternating so
// neither is always first); returns how many periods each ran.
void runPeriods(testing::FakeClock& clock, Node& a, Node& b, int periods) {
  for (int i = 0; i < periods; ++i) {
    clock.advance(kPeriod);
    const int before = a.runs + b.runs;
    if (i % 2 == 0) {
      a.job.tick();
      b.job.tick();
    } else {
      b.job.tick();
      a.job.tick();
    }
    EXPECT_EQ(a.runs + b.runs, before + 1) << "exactly one node runs in period " << i;
  }
}

void expectOneRunnerAndTakeoverAfterTheTtl(storage::Store& store_a, storage::Store& store_b) {
  testing::FakeClock clock;
  Node a(store_a, clock, "n-a");
  Node b(store_b, clock, "n-b");
  runPeriods(clock, a, b, 8);
  ASSERT_EQ(a.runs, 8) << "the first node to tick keeps the job while it lives";
  EXPECT_EQ(b.runs, 0);

  // a is killed: it neither ticks nor releases. Its last grant lasts 3 periods (45 s).
  const auto last_grant = clock.now();
  int waited = 0;
  while (b.runs == 0 && waited < 10) {
    clock.advance(kPeriod);
    b.job.tick();
    ++waited;
    if (b.runs == 0) {
      EXPECT_LT(clock.now(), last_grant + 3 * kPeriod) << "b takes over once the lease expired";
    }
  }
  EXPECT_EQ(b.runs, 1);
  EXPECT_GE(clock.now(), last_grant + 3 * kPeriod) << "b did not run while a's lease was live";
  EXPECT_EQ(waited, 3);

  // a comes back (a stalled process, not a dead one): it does not run while b holds the job.
  const int a_runs = a.runs;
  runPeriods(clock, a, b, 4);
  EXPECT_EQ(a.runs, a_runs);
  EXPECT_EQ(b.runs, 5);
}

TEST(ClusterJobTest, ExactlyOneNodeRunsEachPeriodAndAnotherTakesOverAfterTheTtl) {
  auto store = memoryStore();
  expectOneRunnerAndTakeoverAfterTheTtl(*store, *store);
}

TEST(ClusterJobTest, AReleasedJobIsTakenByTheOtherNodeAtItsNextTick) {
  auto store = memoryStore();
  testing::FakeClock clock;
  auto a = std::make_unique<Node>(*store, clock, "n-a");
  Node b(*store, clock, "n-b");
  clock.advance(kPeriod);
  EXPECT_TRUE(a->job.tick());
  EXPECT_FALSE(b.job.tick());
  a.reset();  // a clean shutdown releases the lease
  clock.advance(1s);
  EXPECT_TRUE(b.job.tick()) << "no need to wait for the lease to expire";
}

TEST(ClusterJobTest, NoStoreNoRun) {
  // A lease that cannot be read is not a grant: the task does not run.
  class BrokenLeases final : public storage::LeaseRepository {
   public:
    Result<storage::LeaseRecord> acquire(std::string_view, std::string_view, common::TimePoint,
                                         std::chrono::milliseconds) override {
      return Error::make(ErrorKind::kUnavailable, "store_unavailable", "down");
    }
    Result<storage::LeaseRecord> renew(std::string_view, std::string_view, std::int64_t,
                                       common::TimePoint, std::chrono::milliseconds) override {
      return Error::make(ErrorKind::kUnavailable, "store_unavailable", "down");
    }
    Result<void> release(std::string_view, std::string_view, std::int64_t) override {
      return success();
    }
    Result<storage::LeaseRecord> find(std::string_view) override {
      return Error::make(ErrorKind::kUnavailable, "store_unavailable", "down");
    }
    Result<std::vector<storage::LeaseRecord>> heldBy(std::string_view, std::string_view,
                                                     common::TimePoint) override {
      return std::vector<storage::LeaseRecord>{};
    }
  } broken;
  testing::FakeClock clock;
  int runs = 0;
  ClusterJob job(broken, clock, "n-a", "store.maintain", 1h, [&runs] { ++runs; });
  EXPECT_FALSE(job.tick());
  EXPECT_EQ(runs, 0);
}

TEST(ClusterJobPostgresTest, TwoProcessesOnOneDatabaseRunTheJobOnceAndTakeOver) {
  auto& pg = testlib::sharedPgServer();
  const std::string url = pg.url(pg.createDatabase());
  auto a = std::move(storage::openPostgresStore({.url = url})).value();
  auto b = std::move(storage::openPostgresStore({.url = url})).value();
  ASSERT_TRUE(a->migrate().ok());
  expectOneRunnerAndTakeoverAfterTheTtl(*a, *b);
}

TEST(NodeIdTest, AConfiguredIdIsKeptAndAnEmptyOneIsGenerated) {
  testing::SeededRandom random;
  EXPECT_EQ(resolveNodeId("kino-1", random), "kino-1");
  const std::string a = resolveNodeId("", random);
  const std::string b = resolveNodeId("", random);
  EXPECT_NE(a, b);
  for (const auto& id : {a, b}) {
    ASSERT_EQ(id.size(), 10u) << id;
    EXPECT_EQ(id.substr(0, 2), "n-");
    for (const char c : id.substr(2)) {
      EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) << id;
    }
  }
}

}  // namespace
}  // namespace kino::app
