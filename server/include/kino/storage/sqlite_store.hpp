#pragma once
// SQLite adapter of the Store port: one database file in WAL mode with a busy timeout.

#include <filesystem>
#include <memory>

#include "kino/storage/store.hpp"

namespace kino::storage {

// Opens (creating if needed) the database at `path`. Does not migrate: call Store::migrate().
// ":memory:" opens a private in-memory database (tests).
Result<std::unique_ptr<Store>> openSqliteStore(const std::filesystem::path& path);

// Copies the database at `from` (which a running Kino may be writing: the copy is one consistent
// snapshot, through SQLite's online backup API) into the new file `to` (kConflict when it exists).
// Returns the copy's schema version. Blocks.
Result<int> copySqliteDatabase(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace kino::storage
