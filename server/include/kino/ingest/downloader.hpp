#pragma once
// Downloading a video the way a server on the public internet must: http(s) only, every connection
// (including after each of at most 5 redirects) checked against the address policy at connect time,
// size, time, speed and free-disk limits, and web pages refused. Errors are kInvalid with a message
// for people and the code "source_too_slow" (under min_bytes_per_s for min_rate_window),
// "download_timeout" (longer than `timeout`) or "download_failed" (everything else); kUnavailable
// "cancelled" when `cancelled` turned true. Thread-safe; blocks the calling thread.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "kino/common/result.hpp"

namespace kino::ingest {

struct DownloadLimits {
  std::uint64_t max_bytes = 4ull << 30;
  std::chrono::milliseconds timeout{std::chrono::hours(1)};
  // A transfer slower than min_bytes_per_s for all of min_rate_window is stopped.
  long min_bytes_per_s = 32 * 1024;
  std::chrono::seconds min_rate_window{30};
  bool allow_private_addresses = false;
  long max_redirects = 5;
  std::filesystem::path disk;          // where the file goes, for the free-space check
  std::uint64_t min_free_bytes = 1ull << 30;
};

struct Downloaded {
  std::string final_url;     // after redirects
  std::string content_type;  // as the server said
  std::uint64_t bytes = 0;
};

using DownloadProgress = std::function<void(std::uint64_t done, std::uint64_t total)>;

class Downloader {
 public:
  virtual ~Downloader() = default;
  // Writes the body of `url` to `dest` (truncating). `cancelled` is polled during the transfer.
  virtual Result<Downloaded> toFile(const std::string& url, const std::filesystem::path& dest,
                                    const DownloadLimits& limits, const DownloadProgress& progress,
                                    const std::function<bool()>& cancelled) = 0;
};

// libcurl adapter. Call curlGlobalInit() once before creating threads.
std::unique_ptr<Downloader> makeCurlDownloader();
void curlGlobalInit();

}  // namespace kino::ingest
