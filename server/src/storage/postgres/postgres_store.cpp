#include "kino/storage/postgres_store.hpp"

#include <libpq-fe.h>

#include <set>
#include <utility>

#include "kino/storage/migrations.hpp"
#include "pg_repositories.hpp"

namespace kino::storage {

namespace {

using postgres::PgDatabase;

// pg_advisory_xact_lock key serialising migrations across Kino nodes.
constexpr std::int64_t kMigrationLock = 0x6b696e6f0001;  // "kino" 1

// Added to the URL when it does not set them: a host that does not answer costs 5 s per attempt,
// and a connection whose peer vanished (a partitioned primary) is noticed within about 25 s even
// while a query waits for its reply.
constexpr std::pair<std::string_view, std::string_view> kConninfoDefaults[] = {
    {"connect_timeout", "5"},     {"application_name", "kino"}, {"keepalives_idle", "10"},
    {"keepalives_interval", "5"}, {"keepalives_count", "3"},
};

Error invalidUrl(std::string_view why) {
  return Error::make(ErrorKind::kInvalid, "invalid_postgres_url",
                     "storage.postgres_url: " + std::string(why), "postgres_url");
}

// libpq's parse errors may quote the URL (a password with it): keep their words, not the quotes.
std::string withoutQuotedParts(std::string_view message) {
  std::string out;
  bool quoted = false;
  for (const char c : message) {
    if (c == '"') {
      if (!quoted) out += "\"…\"";
      quoted = !quoted;
    } else if (!quoted && c != '\n') {
      out += c;
    }
  }
  return out;
}

std::string quoteValue(std::string_view value) {
  std::string out = "'";
  for (const char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

class PostgresStore final : public Store {
 public:
  PostgresStore(std::string conninfo, const PostgresOptions& options)
      : db_(std::move(conninfo), options),
        users_(db_),
        sessions_(db_),
        rooms_(db_),
        messages_(db_),
        assets_(db_),
        playback_(db_),
        leases_(db_),
        placements_(db_),
        rate_events_(db_),
        visits_(db_) {}

  UserRepository& users() override { return users_; }
  SessionRepository& sessions() override { return sessions_; }
  RoomRepository& rooms() override { return rooms_; }
  MessageRepository& messages() override { return messages_; }
  AssetRepository& assets() override { return assets_; }
  PlaybackRepository& playback() override { return playback_; }
  LeaseRepository& leases() override { return leases_; }
  MediaPlacementRepository& mediaPlacements() override { return placements_; }
  RateEventRepository& rateEvents() override { return rate_events_; }
  VisitRepository& visits() override { return visits_; }

  // Retries only briefly (a pooled connection may have died since its last use): /readyz must
  // answer at once when the database is down.
  Result<void> ping() override {
    return db_.transact<void>(
        "ping",
        [](pqxx::work& tx) -> Result<void> {
          tx.exec("SELECT 1");
          return success();
        },
        std::chrono::milliseconds(250));
  }

  Result<int> migrate() override {
    const auto all = migrations();
    auto version = db_.transact<int>("migrate", [&](pqxx::work& tx) -> Result<int> {
      tx.exec("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLock) + ")");
      tx.exec(
          "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
          " description TEXT NOT NULL, applied_at BIGINT NOT NULL)");
      int current =
          tx.exec1("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")[0].as<int>();
      if (current > static_cast<int>(all.size())) {
        return Error::make(
            ErrorKind::kInternal, "schema_too_new",
            "the database was written by a newer kino (schema " + std::to_string(current) + ")");
      }
      const std::int64_t now = common::toUnixMillis(std::chrono::system_clock::now());
      for (; current < static_cast<int>(all.size()); ++current) {
        const Migration& m = all[static_cast<std::size_t>(current)];
        tx.exec(std::string(sqlFor(m, Engine::kPostgres)));
        tx.exec_params(
            "INSERT INTO schema_migrations (version, description, applied_at)"
            " VALUES ($1, $2, $3)",
            m.version, std::string(m.description), now);
      }
      return current;
    });
    if (!version) return version.error();
    if (auto r = db_.ensureAhead(std::chrono::system_clock::now()); !r) return r.error();
    return version;
  }

  Result<void> maintain(common::TimePoint now) override { return db_.ensureAhead(now); }

 private:
  PgDatabase db_;
  postgres::PgUsers users_;
  postgres::PgSessions sessions_;
  postgres::PgRooms rooms_;
  postgres::PgMessages messages_;
  postgres::PgAssets assets_;
  postgres::PgPlayback playback_;
  postgres::PgLeases leases_;
  postgres::PgMediaPlacements placements_;
  postgres::PgRateEvents rate_events_;
  postgres::PgVisits visits_;
};

}  // namespace

Result<std::string> postgresConninfo(std::string_view url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(std::string(url).c_str(), &error);
  if (!options) {
    const std::string why = error ? withoutQuotedParts(error) : "libpq cannot parse it";
    PQfreemem(error);
    return invalidUrl(why);
  }
  std::string out;
  std::set<std::string, std::less<>> given;
  for (const PQconninfoOption* o = options; o->keyword; ++o) {
    if (!o->val) continue;
    given.insert(o->keyword);
    if (!out.empty()) out += ' ';
    out += std::string(o->keyword) + "=" + quoteValue(o->val);
  }
  PQconninfoFree(options);
  for (const auto& [key, value] : kConninfoDefaults) {
    if (given.contains(key)) continue;
    if (!out.empty()) out += ' ';
    out += std::string(key) + "=" + std::string(value);
  }
  return out;
}

Result<std::unique_ptr<Store>> openPostgresStore(const PostgresOptions& options) {
  if (options.pool_size < 1) {
    return Error::make(ErrorKind::kInvalid, "invalid_config", "storage.postgres_pool_size: >= 1");
  }
  auto conninfo = postgresConninfo(options.url);
  if (!conninfo) return conninfo.error();
  return std::unique_ptr<Store>(std::make_unique<PostgresStore>(std::move(*conninfo), options));
}

}  // namespace kino::storage
