// Users on PostgreSQL.
#include <algorithm>
#include <cctype>

#include "pg_repositories.hpp"

namespace kino::storage::postgres {

namespace {

std::string asciiLower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

constexpr const char* kUserColumns =
    "SELECT id, username, display_name, password_hash, created_at FROM users";

UserRecord readUser(const pqxx::row& r) {
  return UserRecord{int64(r[0]), r[1].as<std::string>(), r[2].as<std::string>(),
                    r[3].as<std::string>(), timePoint(r[4])};
}

Result<UserRecord> oneUser(const pqxx::result& rows) {
  if (rows.empty()) return notFound("user");
  return readUser(rows[0]);
}

}  // namespace

Result<UserRecord> PgUsers::create(const NewUser& u) {
  int attempt = 0;
  return db_.transact<UserRecord>("insert user", [&](pqxx::work& tx) -> Result<UserRecord> {
    const bool retry = attempt++ > 0;
    const std::string key = asciiLower(u.username);
    const std::int64_t created = common::toUnixMillis(u.created_at);
    auto rows = tx.exec_params(
        "INSERT INTO users (username, username_key, display_name, password_hash, created_at)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (username_key) DO NOTHING RETURNING id",
        u.username, key, u.display_name, u.password_hash, created);
    if (rows.empty() && retry) {
      // An earlier attempt whose commit reply was lost may have stored this very user.
      rows = tx.exec_params(
          "SELECT id FROM users WHERE username_key = $1 AND password_hash = $2 AND created_at = $3",
          key, u.password_hash, created);
    }
    if (rows.empty()) {
      return Error::make(ErrorKind::kConflict, "username_taken", "That username is taken.",
                         "username");
    }
    return UserRecord{int64(rows[0][0]), u.username, u.display_name, u.password_hash, u.created_at};
  });
}

Result<UserRecord> PgUsers::findByUsername(std::string_view username) {
  return db_.transact<UserRecord>("find user", [&](pqxx::work& tx) {
    return oneUser(tx.exec_params(std::string(kUserColumns) + " WHERE username_key = $1",
                                  asciiLower(username)));
  });
}

Result<UserRecord> PgUsers::findById(std::int64_t id) {
  return db_.transact<UserRecord>("find user", [&](pqxx::work& tx) {
    return oneUser(tx.exec_params(std::string(kUserColumns) + " WHERE id = $1", id));
  });
}

}  // namespace kino::storage::postgres
