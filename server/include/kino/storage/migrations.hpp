#pragma once
// The one schema history of the Store port, shared by its adapters. Each migration has one version
// and one description, and the SQL of each engine (the dialects differ in types, identity columns
// and partitioning). Migrations are applied in order; never edit a released one: append a new one.
//
// SQLite counts the migrations applied in PRAGMA user_version; PostgreSQL records each one in the
// table schema_migrations (version, description, applied_at).

#include <span>
#include <string_view>

namespace kino::storage {

enum class Engine { kSqlite, kPostgres };

struct Migration {
  int version = 0;               // 1, 2, 3, … without gaps
  std::string_view description;  // what it adds, in a few words
  std::string_view sqlite;       // the statements for SQLite
  std::string_view postgres;     // the statements for PostgreSQL
};

// Every migration, oldest first.
std::span<const Migration> migrations();

// The statements of `m` for `engine`.
std::string_view sqlFor(const Migration& m, Engine engine);

}  // namespace kino::storage
