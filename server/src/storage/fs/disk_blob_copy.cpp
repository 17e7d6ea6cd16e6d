#include <fstream>
#include <string>
#include <vector>

#include "kino/storage/disk_blob_store.hpp"

namespace kino::storage {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kCompareChunk = 1 << 20;

// Whether what `to` holds under `key` is the file's content, read back chunk by chunk.
Result<void> sameContent(BlobStore& to, const std::string& key, const fs::path& file,
                         std::uint64_t size) {
  auto info = to.stat(key);
  if (!info) return info.error();
  if (info->size != size) {
    return Error::make(ErrorKind::kInternal, "copy_mismatch",
                       key + ": " + std::to_string(info->size) + " bytes stored, " +
                           std::to_string(size) + " on disk");
  }
  std::ifstream in(file, std::ios::binary);
  std::string mine(kCompareChunk, '\0');
  for (std::uint64_t at = 0; at < size; at += kCompareChunk) {
    auto theirs = to.read(key, at, kCompareChunk);
    if (!theirs) return theirs.error();
    in.read(mine.data(), static_cast<std::streamsize>(kCompareChunk));
    if (std::string_view(mine.data(), static_cast<std::size_t>(in.gcount())) != *theirs) {
      return Error::make(ErrorKind::kInternal, "copy_mismatch",
                         key + ": the stored bytes differ from the file from byte " +
                             std::to_string(at));
    }
  }
  return success();
}

}  // namespace

Result<BlobCopyReport> copyDiskBlobs(const fs::path& root, BlobStore& to) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return Error::make(ErrorKind::kNotFound, "source_unreadable",
                       root.string() + " is not a folder");
  }
  std::vector<std::pair<std::string, fs::path>> files;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::string key = fs::relative(it->path(), root, ec).generic_string();
    if (validBlobKey(key)) files.emplace_back(key, it->path());
  }
  if (ec) return Error::make(ErrorKind::kInternal, "source_unreadable", root.string() + ": " + ec.message());
  BlobCopyReport report;
  for (const auto& [key, file] : files) {
    const std::uint64_t size = fs::file_size(file, ec);
    if (ec) return Error::make(ErrorKind::kInternal, "source_unreadable", file.string() + ": " + ec.message());
    if (auto r = to.putFile(key, file); !r) return r.error();
    if (auto r = sameContent(to, key, file, size); !r) return r.error();
    ++report.files;
    report.bytes += size;
  }
  return report;
}

}  // namespace kino::storage
