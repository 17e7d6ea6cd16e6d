#pragma once
// The BlobStore port: immutable-ish named blobs (HLS playlists, segments, posters) that the media
// origin serves. Keys are "/"-separated segments of [A-Za-z0-9._-] not starting with "."; anything
// else is refused (kInvalid), so no key can escape the store. Thread-safe; calls block on I/O.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "kino/common/clock.hpp"
#include "kino/common/result.hpp"

namespace kino::storage {

struct BlobInfo {
  std::uint64_t size = 0;
  common::TimePoint modified;
  std::string etag;  // changes whenever the content does
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;
  // Publishes the content of the local file under `key`, replacing any earlier blob atomically
  // (readers see the old or the new content, never a mix).
  virtual Result<void> putFile(std::string_view key, const std::filesystem::path& local) = 0;
  virtual Result<void> putBytes(std::string_view key, std::string_view data) = 0;
  // kNotFound when absent.
  virtual Result<BlobInfo> stat(std::string_view key) = 0;
  // Up to `length` bytes from `offset` (fewer at the end).
  virtual Result<std::string> read(std::string_view key, std::uint64_t offset,
                                   std::uint64_t length) = 0;
  // Removes every blob under `prefix` + "/".
  virtual Result<void> removePrefix(std::string_view prefix) = 0;
  // How many bytes one read() should ask for when a caller streams a blob: a disk reads 256 KiB
  // cheaply, a remote store prefers fewer, larger requests.
  virtual std::uint64_t preferredReadSize() const { return 256 * 1024; }
};

// Whether `key` is a valid blob key (see above).
bool validBlobKey(std::string_view key);

}  // namespace kino::storage
