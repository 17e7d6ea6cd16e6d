// An online copy of a SQLite database file through SQLite's backup API (the source may be in use
// by a running Kino: the copy is one consistent snapshot).
#include <sqlite3.h>

#include "kino/storage/sqlite_store.hpp"

namespace kino::storage {

namespace {

Error sqliteError(sqlite3* db, std::string_view what) {
  return Error::make(ErrorKind::kUnavailable, "backup_failed",
                     std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

struct Db {
  sqlite3* db = nullptr;
  ~Db() { sqlite3_close_v2(db); }
};

}  // namespace

Result<int> copySqliteDatabase(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(from, ec)) {
    return Error::make(ErrorKind::kNotFound, "backup_failed", "no database at " + from.string());
  }
  if (std::filesystem::exists(to, ec)) {
    return Error::make(ErrorKind::kConflict, "backup_failed", to.string() + " exists already");
  }
  Db source, target;
  if (sqlite3_open_v2(from.c_str(), &source.db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    return sqliteError(source.db, "open " + from.string());
  }
  sqlite3_busy_timeout(source.db, 5000);
  if (sqlite3_open_v2(to.c_str(), &target.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                      nullptr) != SQLITE_OK) {
    return sqliteError(target.db, "create " + to.string());
  }
  sqlite3_backup* backup = sqlite3_backup_init(target.db, "main", source.db, "main");
  if (!backup) return sqliteError(target.db, "start the copy");
  int rc;
  while ((rc = sqlite3_backup_step(backup, 256)) == SQLITE_OK || rc == SQLITE_BUSY ||
         rc == SQLITE_LOCKED) {
    if (rc != SQLITE_OK) sqlite3_sleep(20);  // a writer holds the file for a moment
  }
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) return sqliteError(target.db, "copy the database");
  sqlite3_stmt* stmt = nullptr;
  int version = 0;
  if (sqlite3_prepare_v2(target.db, "PRAGMA user_version", -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    version = sqlite3_column_int(stmt, 0);
  }
  sqlite3_finalize(stmt);
  if (sqlite3_exec(target.db, "PRAGMA integrity_check", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return sqliteError(target.db, "check the copy");
  }
  return version;
}

}  // namespace kino::storage
