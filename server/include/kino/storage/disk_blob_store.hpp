#pragma once
// The disk adapter of BlobStore: one file per key under a root folder (./var/media by default).

#include <cstdint>
#include <filesystem>
#include <memory>

#include "kino/storage/blob_store.hpp"

namespace kino::storage {

// Creates `root` when missing.
Result<std::unique_ptr<BlobStore>> openDiskBlobStore(const std::filesystem::path& root);

struct BlobCopyReport {
  std::int64_t files = 0;
  std::uint64_t bytes = 0;
};

// Moves a disk media folder into another store (e.g. S3): every file under `root` whose path is a
// valid blob key (temporary and hidden files are not) is put under that key, then read back from
// `to` and compared byte for byte with the file. Stops at the first failure (kNotFound for a
// missing `root`, the store's error, or kInternal "copy_mismatch"); what was put stays put, and
// running it again puts everything again. Blocks.
Result<BlobCopyReport> copyDiskBlobs(const std::filesystem::path& root, BlobStore& to);

}  // namespace kino::storage
