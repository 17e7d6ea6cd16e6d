#pragma once
// The PostgreSQL adapter's core, private to it: the connection pool, transactions retried across
// lost connections and failovers, error mapping onto the Store port's contract, and the monthly
// partitions of the chat and playback tables.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include <pqxx/except>
#include <pqxx/transaction>

#include "kino/common/clock.hpp"
#include "kino/common/mutex.hpp"
#include "kino/common/result.hpp"
#include "kino/storage/postgres_store.hpp"
#include "pg_pool.hpp"

namespace kino::storage::postgres {

// What to do about a failed attempt.
enum class Failure {
  kFatal,      // map to an Error and return it
  kRetry,      // run the transaction again on the same connection
  kReconnect,  // drop the connection, run the transaction again on a new one
};

// Classifies a SQLSTATE: class 08, 57P01-57P03, 25006 → kReconnect; 40001, 40P01 → kRetry.
Failure classify(std::string_view sqlstate);
// Maps a fatal database error: class 23 (unique, foreign key, check) → kConflict "conflict",
// 57014 (statement timeout) → kUnavailable "store_busy", anything else → kInternal "store_error".
Error toError(std::string_view sqlstate, std::string_view what, std::string_view detail);
Error unavailable(std::string_view detail);
Error notFound(std::string_view what);

// A month of the partitioned tables: [start_ms, end_ms) in Unix milliseconds, UTC.
struct Month {
  int year = 1970;
  unsigned month = 1;  // 1..12
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  std::string suffix;  // "p202612"
  bool operator<(const Month& o) const { return start_ms < o.start_ms; }
};
Month monthOf(std::int64_t unix_ms);
Month monthOf(common::TimePoint t);
Month nextMonth(const Month& m);

class PgDatabase {
 public:
  PgDatabase(std::string conninfo, const PostgresOptions& options);

  // Runs `body(tx)` in a transaction and commits when it returns a value. A lost connection, a
  // failover or a serialization failure runs `body` again (from the start, in a new transaction)
  // with backoff until the retry budget is spent, then kUnavailable. `body` must be safe to run
  // again after an attempt whose commit may have happened (the commit reply was lost); it may
  // suspend the calling thread. Thread-safe.
  template <class T, class Body>
  Result<T> transact(std::string_view what, Body&& body) {
    return transact<T>(what, std::forward<Body>(body), retry_budget_);
  }
  // As above with its own retry budget (readiness checks must answer quickly).
  template <class T, class Body>
  Result<T> transact(std::string_view what, Body&& body, std::chrono::milliseconds budget);

  // Creates the monthly partitions of `months` that are not known to exist (one transaction under
  // an advisory lock, so nodes may race). Thread-safe.
  Result<void> ensureMonths(const std::set<Month>& months) KINO_EXCLUDES(mu_);
  // The month of `now` and the next two.
  Result<void> ensureAhead(common::TimePoint now);
  // Forgets which partitions exist (after a write found one missing: someone dropped it).
  void forgetMonths() KINO_EXCLUDES(mu_);

 private:
  PgPool pool_;
  const std::chrono::milliseconds retry_budget_;
  common::Mutex mu_;
  std::set<std::int64_t> known_months_ KINO_GUARDED_BY(mu_);  // start_ms of existing partitions
};

// Logs one retry (a warning: a failover or a flaky network is worth seeing).
void retried(std::string_view what, std::string_view failure, std::chrono::milliseconds backoff);

template <class T, class Body>
Result<T> PgDatabase::transact(std::string_view what, Body&& body,
                               std::chrono::milliseconds budget) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + budget;
  std::chrono::milliseconds backoff{25};
  for (;;) {
    std::string failure;
    {
      auto lease = pool_.acquire();
      if (!lease) return lease.error();
      try {
        pqxx::work tx(lease->connection());
        Result<T> r = body(tx);
        if (r.ok()) tx.commit();
        return r;
      } catch (const pqxx::in_doubt_error& e) {  // the commit may or may not have happened
        lease->discard();
        failure = e.what();
      } catch (const pqxx::broken_connection& e) {
        lease->discard();
        failure = e.what();
      } catch (const pqxx::transaction_rollback& e) {  // serialization failure, deadlock
        failure = e.what();
      } catch (const pqxx::sql_error& e) {
        const Failure kind = classify(e.sqlstate());
        if (kind == Failure::kFatal) return toError(e.sqlstate(), what, e.what());
        if (kind == Failure::kReconnect) lease->discard();
        failure = e.what();
      } catch (const pqxx::failure& e) {  // libpqxx lost the connection without a SQLSTATE
        lease->discard();
        failure = e.what();
      } catch (const std::exception& e) {
        return Error::make(ErrorKind::kInternal, "store_error",
                           std::string(what) + ": " + e.what());
      }
    }  // the lease goes back to the pool before the wait
    if (Clock::now() + backoff > deadline) return unavailable(std::string(what) + ": " + failure);
    retried(what, failure, backoff);
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(250));
  }
}

}  // namespace kino::storage::postgres
