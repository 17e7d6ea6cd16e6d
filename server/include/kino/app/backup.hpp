#pragma once
// `kino backup DIR` and `kino restore DIR` for the embedded installation (SQLite and the disk media
// store; docs/operations.md has the runbook for PostgreSQL and S3). A backup folder holds kino.db
// (an online, consistent copy through SQLite's backup API), media/ (every media file, read back and
// compared), secrets/ (the keys that sign media links and guest cookies) and kino-backup.json,
// written last: a folder without it is not a backup.

#include <filesystem>

#include "kino/common/config.hpp"
#include "kino/common/result.hpp"

namespace kino::app {

struct BackupReport {
  int schema_version = 0;
  std::int64_t media_files = 0;
  std::uint64_t media_bytes = 0;
};

// Copies the installation in config.server.data_dir (a running Kino may be using it) into `dir`,
// which must be new or empty. kInvalid for another storage engine or blob store.
Result<BackupReport> backupInstallation(const common::Config& config, const std::filesystem::path& dir);
// Copies the backup in `dir` into config.server.data_dir, which must hold no database yet. kInvalid
// when `dir` is not a complete backup or comes from a newer Kino.
Result<BackupReport> restoreInstallation(const common::Config& config,
                                         const std::filesystem::path& dir);

}  // namespace kino::app
