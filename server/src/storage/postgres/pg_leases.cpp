// Leases on PostgreSQL: one row per name; acquire is one INSERT … ON CONFLICT DO UPDATE … WHERE,
// so two nodes racing for a lease are serialised by the row lock and exactly one wins.
#include "pg_repositories.hpp"

namespace kino::storage::postgres {

namespace {

LeaseRecord readLease(const pqxx::row& r) {
  return LeaseRecord{r[0].as<std::string>(), r[1].as<std::string>(), int64(r[2]), timePoint(r[3])};
}

}  // namespace

Result<void> checkFence(pqxx::work& tx, const Fence& fence) {
  if (!fence.fenced()) return success();
  auto rows = tx.exec_params(
      "SELECT 1 FROM leases WHERE name = $1 AND holder = $2 AND token = $3 FOR SHARE", fence.lease,
      fence.holder, fence.token);
  if (!rows.empty()) return success();
  return Error::make(ErrorKind::kConflict, "lease_lost",
                     "lease " + fence.lease + " is no longer held by " + fence.holder);
}

Result<LeaseRecord> PgLeases::acquire(std::string_view name, std::string_view holder,
                                      common::TimePoint now, std::chrono::milliseconds ttl) {
  const std::int64_t now_ms = common::toUnixMillis(now);
  const std::int64_t until = now_ms + ttl.count();
  // Safe to run again after a lost commit reply: the second run renews what the first took.
  return db_.transact<LeaseRecord>("acquire lease", [&](pqxx::work& tx) -> Result<LeaseRecord> {
    auto rows = tx.exec_params(
        "INSERT INTO leases AS l (name, holder, token, expires_at) VALUES ($1, $2, 1, $3)"
        " ON CONFLICT (name) DO UPDATE SET"
        "   token = CASE WHEN l.holder = EXCLUDED.holder AND l.expires_at > $4 THEN l.token"
        "                ELSE l.token + 1 END,"
        "   holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at"
        " WHERE l.holder = EXCLUDED.holder OR l.expires_at <= $4"
        " RETURNING name, holder, token, expires_at",
        std::string(name), std::string(holder), until, now_ms);
    if (rows.empty()) {  // held by another node
      rows = tx.exec_params("SELECT name, holder, token, expires_at FROM leases WHERE name = $1",
                            std::string(name));
    }
    if (rows.empty()) return notFound("lease");
    return readLease(rows[0]);
  });
}

Result<LeaseRecord> PgLeases::renew(std::string_view name, std::string_view holder,
                                    std::int64_t token, common::TimePoint now,
                                    std::chrono::milliseconds ttl) {
  const std::int64_t until = common::toUnixMillis(now) + ttl.count();
  // Safe to run again: a second run extends what the first extended.
  return db_.transact<LeaseRecord>("renew lease", [&](pqxx::work& tx) -> Result<LeaseRecord> {
    auto rows = tx.exec_params(
        "UPDATE leases SET expires_at = GREATEST(expires_at, $4)"
        " WHERE name = $1 AND holder = $2 AND token = $3 AND expires_at > 0"
        " RETURNING name, holder, token, expires_at",
        std::string(name), std::string(holder), token, until);
    if (rows.empty()) {  // taken over (or never held)
      rows = tx.exec_params("SELECT name, holder, token, expires_at FROM leases WHERE name = $1",
                            std::string(name));
    }
    if (rows.empty()) return notFound("lease");
    return readLease(rows[0]);
  });
}

Result<void> PgLeases::release(std::string_view name, std::string_view holder,
                               std::int64_t token) {
  return db_.transact<void>("release lease", [&](pqxx::work& tx) -> Result<void> {
    tx.exec_params("UPDATE leases SET expires_at = 0 WHERE name = $1 AND holder = $2 AND token = $3",
                   std::string(name), std::string(holder), token);
    return success();
  });
}

Result<LeaseRecord> PgLeases::find(std::string_view name) {
  return db_.transact<LeaseRecord>("find lease", [&](pqxx::work& tx) -> Result<LeaseRecord> {
    auto rows = tx.exec_params("SELECT name, holder, token, expires_at FROM leases WHERE name = $1",
                               std::string(name));
    if (rows.empty()) return notFound("lease");
    return readLease(rows[0]);
  });
}

Result<std::vector<LeaseRecord>> PgLeases::heldBy(std::string_view holder, std::string_view prefix,
                                                  common::TimePoint now) {
  return db_.transact<std::vector<LeaseRecord>>(
      "leases held", [&](pqxx::work& tx) -> Result<std::vector<LeaseRecord>> {
        auto rows = tx.exec_params(
            "SELECT name, holder, token, expires_at FROM leases WHERE holder = $1"
            " AND expires_at > $2 AND left(name, $3) = $4 ORDER BY name",
            std::string(holder), common::toUnixMillis(now), static_cast<int>(prefix.size()),
            std::string(prefix));
        std::vector<LeaseRecord> out;
        for (const auto& r : rows) out.push_back(readLease(r));
        return out;
      });
}

}  // namespace kino::storage::postgres
