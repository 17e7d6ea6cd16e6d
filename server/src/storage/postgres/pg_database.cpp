#include "pg_database.hpp"

#include <cstdio>
#include <vector>

#include "kino/common/log.hpp"

namespace kino::storage::postgres {

namespace {

// pg_advisory_xact_lock key serialising partition creation across Kino nodes.
constexpr std::int64_t kPartitionLock = 0x6b696e6f0002;  // "kino" 2

}  // namespace

Failure classify(std::string_view sqlstate) {
  if (sqlstate.starts_with("08")) return Failure::kReconnect;  // connection exception
  if (sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03") {
    return Failure::kReconnect;  // admin shutdown, crash shutdown, cannot connect now
  }
  if (sqlstate == "25006")
    return Failure::kReconnect;  // read-only: a standby now; find the primary
  if (sqlstate == "40001" || sqlstate == "40P01") return Failure::kRetry;
  return Failure::kFatal;
}

Error toError(std::string_view sqlstate, std::string_view what, std::string_view detail) {
  std::string message = std::string(what) + ": " + std::string(detail);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (sqlstate.starts_with("23")) return Error::make(ErrorKind::kConflict, "conflict", message);
  if (sqlstate == "57014") {
    return Error::make(ErrorKind::kUnavailable, "store_busy", "the database is busy, try again");
  }
  return Error::make(ErrorKind::kInternal, "store_error", message);
}

Error unavailable(std::string_view detail) {
  log::warn("store_unavailable", {{"message", std::string(detail)}});
  return Error::make(ErrorKind::kUnavailable, "store_unavailable",
                     "the database is unavailable, try again");
}

Error notFound(std::string_view what) {
  return Error::make(ErrorKind::kNotFound, "not_found", std::string(what) + " not found");
}

void retried(std::string_view what, std::string_view failure, std::chrono::milliseconds backoff) {
  std::string text(failure);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  log::warn("store_retry",
            {{"what", std::string(what)}, {"message", text}, {"backoff_ms", backoff.count()}});
}

Month monthOf(std::int64_t unix_ms) {
  using namespace std::chrono;
  const sys_days day = floor<days>(sys_time<milliseconds>(milliseconds(unix_ms)));
  const year_month_day ymd(day);
  const year_month first = ymd.year() / ymd.month();
  const year_month following = first + months(1);
  Month m;
  m.year = static_cast<int>(ymd.year());
  m.month = static_cast<unsigned>(ymd.month());
  m.start_ms = duration_cast<milliseconds>(sys_days(first / 1).time_since_epoch()).count();
  m.end_ms = duration_cast<milliseconds>(sys_days(following / 1).time_since_epoch()).count();
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, "p%04d%02u", m.year, m.month);
  m.suffix = suffix;
  return m;
}

Month monthOf(common::TimePoint t) { return monthOf(common::toUnixMillis(t)); }

Month nextMonth(const Month& m) { return monthOf(m.end_ms); }

PgDatabase::PgDatabase(std::string conninfo, const PostgresOptions& options)
    : pool_(std::move(conninfo), options.pool_size, options.acquire_timeout),
      retry_budget_(options.retry_budget) {}

Result<void> PgDatabase::ensureMonths(const std::set<Month>& months) {
  std::vector<Month> missing;
  {
    common::MutexLock lock(mu_);
    for (const Month& m : months) {
      if (!known_months_.contains(m.start_ms)) missing.push_back(m);
    }
  }
  if (missing.empty()) return success();
  auto created = transact<int>("create partitions", [&](pqxx::work& tx) -> Result<int> {
    tx.exec("SELECT pg_advisory_xact_lock(" + std::to_string(kPartitionLock) + ")");
    int count = 0;
    for (const Month& m : missing) {
      for (const char* table : {"messages", "playback_events"}) {
        const std::string name = std::string(table) + "_" + m.suffix;
        if (tx.exec_params1("SELECT to_regclass($1) IS NOT NULL", name)[0].as<bool>()) continue;
        tx.exec("CREATE TABLE " + name + " PARTITION OF " + std::string(table) +
                " FOR VALUES FROM (" + std::to_string(m.start_ms) + ") TO (" +
                std::to_string(m.end_ms) + ")");
        ++count;
      }
    }
    return count;
  });
  if (!created) return created.error();
  if (*created > 0) log::info("store_partitions_created", {{"count", *created}});
  common::MutexLock lock(mu_);
  for (const Month& m : missing) known_months_.insert(m.start_ms);
  return success();
}

Result<void> PgDatabase::ensureAhead(common::TimePoint now) {
  const Month first = monthOf(now);
  const Month second = nextMonth(first);
  return ensureMonths({first, second, nextMonth(second)});
}

void PgDatabase::forgetMonths() {
  common::MutexLock lock(mu_);
  known_months_.clear();
}

}  // namespace kino::storage::postgres
