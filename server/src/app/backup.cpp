#include "kino/app/backup.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <fstream>
#include <sstream>

#include "kino/common/clock.hpp"
#include "kino/storage/disk_blob_store.hpp"
#include "kino/storage/migrations.hpp"
#include "kino/storage/sqlite_store.hpp"

namespace kino::app {

namespace fs = std::filesystem;

namespace {

constexpr const char* kManifest = "kino-backup.json";
constexpr int kFormat = 1;

Error invalid(std::string message) {
  return Error::make(ErrorKind::kInvalid, "backup_invalid", std::move(message));
}

Result<void> embeddedOnly(const common::Config& config) {
  if (config.storage.engine == "sqlite" && config.storage.blob == "disk") return success();
  return invalid(
      "backup and restore copy the embedded installation (storage.engine = \"sqlite\", "
      "storage.blob = \"disk\"); for PostgreSQL and S3 follow docs/operations.md");
}

bool emptyOrMissing(const fs::path& dir) {
  std::error_code ec;
  return !fs::exists(dir, ec) || (fs::is_directory(dir, ec) && fs::is_empty(dir, ec));
}

Result<void> makePrivateDir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (!ec) fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec) return Error::make(ErrorKind::kUnavailable, "backup_failed", dir.string() + ": " + ec.message());
  return success();
}

// Copies the regular files of `from` (the signing keys) into `to`, readable by the owner only.
Result<void> copySecrets(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  if (!fs::is_directory(from, ec)) return success();
  if (auto r = makePrivateDir(to); !r) return r;
  for (const auto& e : fs::directory_iterator(from, ec)) {
    if (!e.is_regular_file()) continue;
    const fs::path target = to / e.path().filename();
    fs::copy_file(e.path(), target, fs::copy_options::overwrite_existing, ec);
    if (!ec) fs::permissions(target, fs::perms::owner_read | fs::perms::owner_write,
                             fs::perm_options::replace, ec);
    if (ec) return Error::make(ErrorKind::kUnavailable, "backup_failed", target.string() + ": " + ec.message());
  }
  if (ec) return Error::make(ErrorKind::kUnavailable, "backup_failed", from.string() + ": " + ec.message());
  return success();
}

Result<storage::BlobCopyReport> copyMedia(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  if (!fs::is_directory(from, ec)) return storage::BlobCopyReport{};
  auto target = storage::openDiskBlobStore(to);
  if (!target) return target.error();
  return storage::copyDiskBlobs(from, **target);
}

int latestSchema() {
  int latest = 0;
  for (const auto& m : storage::migrations()) latest = std::max(latest, m.version);
  return latest;
}

}  // namespace

Result<BackupReport> backupInstallation(const common::Config& config, const fs::path& dir) {
  if (auto r = embeddedOnly(config); !r) return r.error();
  const fs::path data = config.server.data_dir;
  if (!emptyOrMissing(dir)) return invalid(dir.string() + " is not empty: back up into a new folder");
  if (auto r = makePrivateDir(dir); !r) return r.error();
  BackupReport report;
  auto version = storage::copySqliteDatabase(data / "kino.db", dir / "kino.db");
  if (!version) return version.error();
  report.schema_version = *version;
  auto media = copyMedia(data / "media", dir / "media");
  if (!media) return media.error();
  report.media_files = media->files;
  report.media_bytes = media->bytes;
  if (auto r = copySecrets(data / "secrets", dir / "secrets"); !r) return r.error();
  boost::json::object manifest{{"format", kFormat},
                               {"kino_version", KINO_VERSION},
                               {"schema_version", report.schema_version},
                               {"created_at", common::toRfc3339(std::chrono::system_clock::now())},
                               {"media_files", report.media_files},
                               {"media_bytes", report.media_bytes}};
  std::ofstream out(dir / kManifest);
  out << boost::json::serialize(manifest) << "\n";
  out.close();
  if (!out) return Error::make(ErrorKind::kUnavailable, "backup_failed", "cannot write the manifest");
  return report;
}

Result<BackupReport> restoreInstallation(const common::Config& config, const fs::path& dir) {
  if (auto r = embeddedOnly(config); !r) return r.error();
  const fs::path data = config.server.data_dir;
  std::ifstream in(dir / kManifest);
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code jec;
  const auto manifest = boost::json::parse(text.str(), jec);
  if (!in || jec || !manifest.is_object() || !manifest.as_object().contains("format")) {
    return invalid(dir.string() + " is not a complete Kino backup (no readable " +
                   std::string(kManifest) + ")");
  }
  if (manifest.at("format") != kFormat) return invalid("unknown backup format in " + dir.string());
  std::error_code ec;
  if (fs::exists(data / "kino.db", ec)) {
    return invalid("the data directory " + data.string() +
                   " already holds a database: restore into a new, empty data directory");
  }
  if (auto r = makePrivateDir(data); !r) return r.error();
  BackupReport report;
  auto version = storage::copySqliteDatabase(dir / "kino.db", data / "kino.db");
  if (!version) return version.error();
  if (*version > latestSchema()) {
    fs::remove(data / "kino.db", ec);
    return invalid("the backup comes from a newer Kino (schema " + std::to_string(*version) +
                   "; this one knows " + std::to_string(latestSchema()) + ")");
  }
  report.schema_version = *version;
  auto media = copyMedia(dir / "media", data / "media");
  if (!media) return media.error();
  report.media_files = media->files;
  report.media_bytes = media->bytes;
  if (auto r = copySecrets(dir / "secrets", data / "secrets"); !r) return r.error();
  return report;
}

}  // namespace kino::app
