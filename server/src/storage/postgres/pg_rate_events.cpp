// Rate-limited events on PostgreSQL: one row per event. consume takes a transaction-scoped advisory
// lock on the key's hash before it reads, so nodes counting the same key at once are serialised
// and never add more than the limit allows (keys whose hashes collide only wait for each other).
#include <algorithm>

#include "pg_repositories.hpp"

namespace kino::storage::postgres {

namespace {

// The first half of the two-part advisory lock keys of rate events ("kr"); the second is the key's
// hashtext. Apart from the one-part keys of migrations and partitions.
constexpr int kRateLockClass = 0x6b72;

}  // namespace

Result<RateWindowCount> PgRateEvents::consume(std::string_view key, std::int64_t max_events,
                                              std::chrono::milliseconds window,
                                              common::TimePoint now, bool record) {
  const std::int64_t now_ms = common::toUnixMillis(now);
  // Run again after a lost commit reply, an event may be counted twice: the limit errs on the
  // strict side.
  return db_.transact<RateWindowCount>(
      "count rate events", [&](pqxx::work& tx) -> Result<RateWindowCount> {
        const std::string k(key);
        tx.exec_params("SELECT pg_advisory_xact_lock($1, hashtext($2))", kRateLockClass, k);
        tx.exec_params("DELETE FROM rate_events WHERE key = $1 AND at_ms <= $2", k,
                       now_ms - window.count());
        RateWindowCount out{
            int64(tx.exec_params1("SELECT count(*) FROM rate_events WHERE key = $1", k)[0]),
            std::nullopt};
        if (out.count >= max_events) {
          auto rows = tx.exec_params(
              "SELECT at_ms FROM rate_events WHERE key = $1 ORDER BY at_ms DESC LIMIT 1 OFFSET $2",
              k, std::max<std::int64_t>(max_events, 1) - 1);
          if (!rows.empty()) out.limiting_event = timePoint(rows[0][0]);
          return out;
        }
        if (record) {
          tx.exec_params("INSERT INTO rate_events (key, at_ms) VALUES ($1, $2)", k, now_ms);
        }
        return out;
      });
}

Result<void> PgRateEvents::reset(std::string_view key) {
  return db_.transact<void>("reset rate events", [&](pqxx::work& tx) -> Result<void> {
    tx.exec_params("DELETE FROM rate_events WHERE key = $1", std::string(key));
    return success();
  });
}

Result<int> PgRateEvents::purgeBefore(common::TimePoint before) {
  return db_.transact<int>("purge rate events", [&](pqxx::work& tx) -> Result<int> {
    auto r = tx.exec_params("DELETE FROM rate_events WHERE at_ms < $1", common::toUnixMillis(before));
    return static_cast<int>(r.affected_rows());
  });
}

}  // namespace kino::storage::postgres
