#include "sqlite_migrations.hpp"

#include <array>

namespace kino::storage::sqlite {
namespace {

constexpr std::array<std::string_view, 1> kMigrations = {
    // 1: accounts and sessions
    R"sql(
CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  username      TEXT    NOT NULL,
  username_key  TEXT    NOT NULL UNIQUE,   -- lower-case username: uniqueness ignores case
  display_name  TEXT    NOT NULL,
  password_hash TEXT    NOT NULL,
  created_at    INTEGER NOT NULL           -- Unix milliseconds, UTC
);
CREATE TABLE sessions (
  token_hash  TEXT    PRIMARY KEY,         -- hex SHA-256 of the cookie token
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions(user_id);
CREATE INDEX sessions_by_expiry ON sessions(expires_at);
)sql",
};

}  // namespace

std::span<const std::string_view> migrations() { return kMigrations; }

}  // namespace kino::storage::sqlite
