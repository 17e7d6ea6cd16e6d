#include "kino/storage/disk_blob_store.hpp"

#include <atomic>
#include <fstream>
#include <sstream>
#include <system_error>

namespace kino::storage {
namespace {

namespace fs = std::filesystem;

Error ioError(const std::string& what, const std::error_code& ec) {
  return Error::make(ErrorKind::kInternal, "blob_io", what + ": " + ec.message());
}

Error badKey(std::string_view key) {
  return Error::make(ErrorKind::kInvalid, "bad_blob_key", "invalid blob key '" + std::string(key) + "'");
}

class DiskBlobStore final : public BlobStore {
 public:
  explicit DiskBlobStore(fs::path root) : root_(std::move(root)) {}

  Result<void> putFile(std::string_view key, const fs::path& local) override {
    auto target = targetFor(key);
    if (!target) return target.error();
    const fs::path tmp = temporaryFor(*target);
    std::error_code ec;
    fs::copy_file(local, tmp, fs::copy_options::overwrite_existing, ec);
    if (ec) return ioError("copy " + local.string(), ec);
    fs::rename(tmp, *target, ec);  // atomic replace on POSIX
    if (ec) return ioError("publish " + target->string(), ec);
    return success();
  }

  Result<void> putBytes(std::string_view key, std::string_view data) override {
    auto target = targetFor(key);
    if (!target) return target.error();
    const fs::path tmp = temporaryFor(*target);
    std::error_code ec;
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out.write(data.data(), static_cast<std::streamsize>(data.size()));
      if (!out) return Error::make(ErrorKind::kInternal, "blob_io", "write " + tmp.string());
    }
    fs::rename(tmp, *target, ec);
    if (ec) return ioError("publish " + target->string(), ec);
    return success();
  }

  Result<BlobInfo> stat(std::string_view key) override {
    if (!validBlobKey(key)) return badKey(key);
    std::error_code ec;
    const fs::path p = root_ / std::string(key);
    const auto status = fs::status(p, ec);
    if (ec || !fs::is_regular_file(status)) {
      return Error::make(ErrorKind::kNotFound, "not_found", "no such media file");
    }
    BlobInfo info;
    info.size = fs::file_size(p, ec);
    if (ec) return ioError("stat " + p.string(), ec);
    const auto mtime = fs::last_write_time(p, ec);
    if (ec) return ioError("stat " + p.string(), ec);
    info.modified = std::chrono::time_point_cast<std::chrono::system_clock::duration>(
        std::chrono::system_clock::now() + (mtime - std::filesystem::file_time_type::clock::now()));
    std::ostringstream tag;
    tag << '"' << std::hex << info.size << '-' << mtime.time_since_epoch().count() << '"';
    info.etag = tag.str();
    return info;
  }

  Result<std::string> read(std::string_view key, std::uint64_t offset,
                           std::uint64_t length) override {
    if (!validBlobKey(key)) return badKey(key);
    std::ifstream in(root_ / std::string(key), std::ios::binary);
    if (!in) return Error::make(ErrorKind::kNotFound, "not_found", "no such media file");
    in.seekg(static_cast<std::streamoff>(offset));
    std::string out(length, '\0');
    in.read(out.data(), static_cast<std::streamsize>(length));
    out.resize(static_cast<std::size_t>(in.gcount()));
    return out;
  }

  Result<void> removePrefix(std::string_view prefix) override {
    if (!validBlobKey(prefix)) return badKey(prefix);
    std::error_code ec;
    fs::remove_all(root_ / std::string(prefix), ec);
    if (ec) return ioError("remove " + std::string(prefix), ec);
    return success();
  }

 private:
  // The path a valid key is stored at, its folder created.
  Result<fs::path> targetFor(std::string_view key) const {
    if (!validBlobKey(key)) return badKey(key);
    std::error_code ec;
    fs::path target = root_ / std::string(key);
    fs::create_directories(target.parent_path(), ec);
    if (ec) return ioError("create " + target.parent_path().string(), ec);
    return target;
  }

  fs::path temporaryFor(const fs::path& target) {
    return target.parent_path() / ("." + target.filename().string() + ".tmp" +
                                   std::to_string(counter_.fetch_add(1)));
  }

  fs::path root_;
  std::atomic<std::uint64_t> counter_{0};
};

}  // namespace

bool validBlobKey(std::string_view key) {
  if (key.empty() || key.size() > 512) return false;
  std::size_t start = 0;
  while (start <= key.size()) {
    const auto slash = key.find('/', start);
    const auto seg = key.substr(start, slash == std::string_view::npos ? std::string_view::npos
                                                                       : slash - start);
    if (seg.empty() || seg.front() == '.') return false;
    for (char c : seg) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-';
      if (!ok) return false;
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

Result<std::unique_ptr<BlobStore>> openDiskBlobStore(const fs::path& root) {
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return ioError("create " + root.string(), ec);
  return std::unique_ptr<BlobStore>(std::make_unique<DiskBlobStore>(root));
}

}  // namespace kino::storage
