// Login sessions on PostgreSQL.
#include "pg_repositories.hpp"

namespace kino::storage::postgres {

Result<void> PgSessions::create(const SessionRecord& s) {
  int attempt = 0;
  return db_.transact<void>("insert session", [&](pqxx::work& tx) -> Result<void> {
    const bool retry = attempt++ > 0;
    auto rows = tx.exec_params(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (token_hash) DO NOTHING RETURNING user_id",
        s.token_hash, s.user_id, common::toUnixMillis(s.created_at),
        common::toUnixMillis(s.expires_at));
    if (rows.empty() && retry) {
      rows = tx.exec_params("SELECT user_id FROM sessions WHERE token_hash = $1 AND user_id = $2",
                            s.token_hash, s.user_id);
    }
    if (rows.empty()) {
      return Error::make(ErrorKind::kConflict, "conflict", "insert session: the token exists");
    }
    return success();
  });
}

Result<SessionRecord> PgSessions::find(std::string_view token_hash) {
  return db_.transact<SessionRecord>("find session", [&](pqxx::work& tx) -> Result<SessionRecord> {
    auto rows = tx.exec_params(
        "SELECT token_hash, user_id, created_at, expires_at FROM sessions WHERE token_hash = $1",
        std::string(token_hash));
    if (rows.empty()) return notFound("session");
    const pqxx::row r = rows[0];
    return SessionRecord{r[0].as<std::string>(), int64(r[1]), timePoint(r[2]), timePoint(r[3])};
  });
}

Result<void> PgSessions::revoke(std::string_view token_hash) {
  return db_.transact<void>("revoke session", [&](pqxx::work& tx) -> Result<void> {
    tx.exec_params("DELETE FROM sessions WHERE token_hash = $1", std::string(token_hash));
    return success();
  });
}

Result<int> PgSessions::deleteExpired(common::TimePoint now) {
  return db_.transact<int>("delete sessions", [&](pqxx::work& tx) -> Result<int> {
    auto r =
        tx.exec_params("DELETE FROM sessions WHERE expires_at < $1", common::toUnixMillis(now));
    return static_cast<int>(r.affected_rows());
  });
}

}  // namespace kino::storage::postgres
