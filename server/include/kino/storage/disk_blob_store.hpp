#pragma once
// The disk adapter of BlobStore: one file per key under a root folder (./var/media by default).

#include <filesystem>
#include <memory>

#include "kino/storage/blob_store.hpp"

namespace kino::storage {

// Creates `root` when missing.
Result<std::unique_ptr<BlobStore>> openDiskBlobStore(const std::filesystem::path& root);

}  // namespace kino::storage
