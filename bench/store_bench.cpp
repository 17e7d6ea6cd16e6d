// Store benchmark (make bench; not a test): the latency of the two store calls chat depends on, on
// each engine. Chat insert = appendBatch of one message (what a room actor does for a lone
// message, durable when it returns); history page = page() of 50 messages before a random seq in a
// room holding BENCH_MESSAGES messages (default 100000) spread over 24 months (so PostgreSQL reads
// across 24 partitions). BENCH_SAMPLES (default 2000) calls of each; p50/p95/max in milliseconds.
//
// SQLite: a kino.db in a temporary directory, opened as Kino opens it (WAL, synchronous=NORMAL: a
// commit does not wait for the disk). PostgreSQL 15: a private server (tests/lib/pg_server.hpp)
// with its durable defaults (fsync on, synchronous_commit on: a commit waits for the WAL flush), on
// 127.0.0.1 over TCP, the adapter's default pool of 8; then again with synchronous_commit off.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "kino/storage/postgres_store.hpp"
#include "kino/storage/sqlite_store.hpp"
#include "lib/pg_server.hpp"

namespace {

using kino::storage::NewMessage;
using kino::storage::Store;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

int envInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v ? std::atoi(v) : fallback;
}

struct Stats {
  double p50 = 0, p95 = 0, max = 0;
};

Stats stats(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[static_cast<std::size_t>(q * static_cast<double>(ms.size() - 1))];
  };
  return {at(0.50), at(0.95), ms.back()};
}

template <class T>
T check(kino::Result<T> r, const char* what) {
  if (!r) {
    std::fprintf(stderr, "store_bench: %s: %s\n", what, r.error().message.c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

void run(const char* engine, Store& store, int messages, int samples) {
  check(store.migrate(), "migrate");
  auto user = check(
      store.users().create({"bench", "Bench", "hash", std::chrono::system_clock::now()}), "user");
  auto room = check(
      store.rooms().create({"benchroom1", user.id, "Bench", "", "https://v.test/a.mp4", "public",
                            "", "", std::nullopt, 120, "live", std::chrono::system_clock::now()}),
      "room");
  // History: `messages` messages over the 24 months before now, in batches of 500.
  const auto now = std::chrono::system_clock::now();
  const auto span = std::chrono::hours(24 * 730);
  const auto fill_start = Clock::now();
  std::int64_t seq = 0;
  while (seq < messages) {
    std::vector<NewMessage> batch;
    for (int i = 0; i < 500 && seq < messages; ++i) {
      ++seq;
      const auto sent = now - span + span * seq / messages - std::chrono::hours(1);
      batch.push_back({room.id, seq, "user:1", "Bench", "h" + std::to_string(seq),
                       "a history message of ordinary length, about sixty characters", sent});
    }
    check(store.messages().appendBatch(batch), "fill");
  }
  const double fill_s = std::chrono::duration<double>(Clock::now() - fill_start).count();

  std::vector<double> insert_ms;
  for (int i = 0; i < samples; ++i) {
    ++seq;
    const auto t0 = Clock::now();
    check(store.messages().appendBatch(
              {{room.id, seq, "user:1", "Bench", "c" + std::to_string(seq),
                "hello, this is a new chat message", std::chrono::system_clock::now()}}),
          "insert");
    insert_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::mt19937 rng(42);
  std::uniform_int_distribution<std::int64_t> before(51, messages);
  std::vector<double> page_ms;
  for (int i = 0; i < samples; ++i) {
    const auto t0 = Clock::now();
    auto page = check(store.messages().page(room.id, before(rng), 50), "page");
    page_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    if (page.size() != 50) {
      std::fprintf(stderr, "store_bench: a page had %zu messages\n", page.size());
      std::exit(1);
    }
  }
  const Stats ins = stats(insert_ms);
  const Stats pg = stats(page_ms);
  std::printf("| %s | %d | %.1f s | %.2f / %.2f / %.1f | %.2f / %.2f / %.1f |\n", engine, messages,
              fill_s, ins.p50, ins.p95, ins.max, pg.p50, pg.p95, pg.max);
  std::fflush(stdout);
}

}  // namespace

int main() {
  const int messages = envInt("BENCH_MESSAGES", 100000);
  const int samples = envInt("BENCH_SAMPLES", 2000);
  std::printf(
      "| engine | history | fill | chat insert p50 / p95 / max (ms) | page of 50 p50 / p95 / max "
      "(ms) |\n");
  std::printf("|---|---|---|---|---|\n");
  {
    const fs::path dir =
        fs::temp_directory_path() / ("kino-store-bench-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    auto store = check(kino::storage::openSqliteStore(dir / "kino.db"), "open sqlite");
    run("SQLite (WAL, synchronous=NORMAL)", *store, messages, samples);
    store.reset();
    fs::remove_all(dir);
  }
  {
    auto pg = kino::testlib::PgServer::start({.durable = true});
    auto store = check(kino::storage::openPostgresStore({.url = pg->url(pg->createDatabase())}),
                       "open postgres");
    run("PostgreSQL 15 (fsync on, synchronous_commit on)", *store, messages, samples);
    // The same without waiting for the WAL flush at commit (as SQLite's synchronous=NORMAL does
    // not wait for the disk): what the round trips and the queries cost by themselves.
    auto async =
        check(kino::storage::openPostgresStore(
                  {.url = pg->url(pg->createDatabase()) + " options='-c synchronous_commit=off'"}),
              "open postgres");
    run("PostgreSQL 15 (synchronous_commit off)", *async, messages, samples);
  }
  return 0;
}
