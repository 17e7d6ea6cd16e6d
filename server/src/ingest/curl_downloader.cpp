#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string_view>

#include "kino/ingest/address_policy.hpp"
#include "kino/ingest/downloader.hpp"

namespace kino::ingest {
namespace {

Error failed(std::string message, std::string code = "download_failed") {
  return Error::make(ErrorKind::kInvalid, std::move(code), std::move(message));
}

std::string kilobytes(long bytes) {
  return std::to_string(std::max(1L, (bytes + 512) / 1024)) + " KB";
}

std::string megabytes(std::uint64_t bytes) {
  char buf[32];
  if (bytes >= (1ull << 30)) std::snprintf(buf, sizeof buf, "%.1f GB", static_cast<double>(bytes) / (1ull << 30));
  else std::snprintf(buf, sizeof buf, "%.0f MB", static_cast<double>(bytes) / (1ull << 20));
  return buf;
}

std::uint64_t freeBytes(const std::filesystem::path& p) {
  struct statvfs s {};
  if (statvfs(p.c_str(), &s) != 0) return UINT64_MAX;
  return static_cast<std::uint64_t>(s.f_bavail) * s.f_frsize;
}

// Everything the libcurl callbacks of one transfer share.
struct Transfer {
  const DownloadLimits* limits = nullptr;
  const DownloadProgress* progress = nullptr;
  const std::function<bool()>* cancelled = nullptr;
  std::ofstream* out = nullptr;
  CURL* curl = nullptr;
  std::uint64_t written = 0;
  std::string refused_address;  // set when the address policy refused a connection
  bool too_large = false;
  bool html = false;
  bool no_disk = false;
  bool checked_type = false;
  bool write_failed = false;
};

curl_socket_t openSocket(void* user, curlsocktype, curl_sockaddr* addr) {
  auto* t = static_cast<Transfer*>(user);
  if (!t->limits->allow_private_addresses) {
    AddressClass c = AddressClass::kReserved;
    if (addr->family == AF_INET) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(&addr->addr);
      c = classifyAddress(std::span(reinterpret_cast<const std::uint8_t*>(&in->sin_addr), 4));
    } else if (addr->family == AF_INET6) {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr->addr);
      c = classifyAddress(std::span(reinterpret_cast<const std::uint8_t*>(&in6->sin6_addr), 16));
    }
    if (c != AddressClass::kPublic) {
      t->refused_address = std::string(describe(c));
      return CURL_SOCKET_BAD;
    }
  }
  return socket(addr->family, addr->socktype, addr->protocol);
}

size_t writeBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (!t->checked_type) {
    t->checked_type = true;
    char* type = nullptr;
    curl_easy_getinfo(t->curl, CURLINFO_CONTENT_TYPE, &type);
    if (type && std::string_view(type).rfind("text/html", 0) == 0) {
      t->html = true;
      return 0;  // aborts the transfer
    }
  }
  if (t->written + n > t->limits->max_bytes) {
    t->too_large = true;
    return 0;
  }
  t->out->write(data, static_cast<std::streamsize>(n));
  if (!*t->out) {
    t->write_failed = true;
    return 0;
  }
  t->written += n;
  return n;
}

int onProgress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (*t->cancelled && (*t->cancelled)()) return 1;
  if (total > 0) {
    const auto expected = static_cast<std::uint64_t>(total);
    if (expected > t->limits->max_bytes) {
      t->too_large = true;
      return 1;
    }
    if (!t->limits->disk.empty() &&
        freeBytes(t->limits->disk) < expected - t->written + t->limits->min_free_bytes) {
      t->no_disk = true;
      return 1;
    }
  }
  if (*t->progress) (*t->progress)(static_cast<std::uint64_t>(now), static_cast<std::uint64_t>(std::max<curl_off_t>(total, 0)));
  return 0;
}

class CurlDownloader final : public Downloader {
 public:
  Result<Downloaded> toFile(const std::string& url, const std::filesystem::path& dest,
                            const DownloadLimits& limits, const DownloadProgress& progress,
                            const std::function<bool()>& cancelled) override {
    if (!limits.disk.empty() && freeBytes(limits.disk) < limits.min_free_bytes) {
      return failed("The server is out of disk space for new videos. Try again later.");
    }
    std::ofstream out(dest, std::ios::binary | std::ios::trunc);
    if (!out) return Error::internal("cannot write " + dest.string());
    CURL* curl = curl_easy_init();
    if (!curl) return Error::internal("curl_easy_init failed");
    Transfer t;
    t.limits = &limits;
    t.progress = &progress;
    t.cancelled = &cancelled;
    t.out = &out;
    t.curl = curl;
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROXY, "");  // never via an environment proxy: the address check is ours
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, limits.max_redirects);
    curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(std::max<std::int64_t>(1, limits.timeout.count())));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 20L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, std::max(1L, limits.min_bytes_per_s));
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME,
                     static_cast<long>(std::max<std::int64_t>(1, limits.min_rate_window.count())));
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "Kino/0.1 (watch party; video ingest)");
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, openSocket);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &t);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, writeBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, onProgress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &t);
    curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(limits.max_bytes));
    const CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    char* effective = nullptr;
    curl_easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &effective);
    char* type = nullptr;
    curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
    Downloaded d{effective ? effective : url, type ? type : "", t.written};
    curl_easy_cleanup(curl);
    out.close();
    if (rc == CURLE_OK) return d;
    if (cancelled && cancelled()) return Error::make(ErrorKind::kUnavailable, "cancelled", "stopped");
    if (!t.refused_address.empty()) {
      return failed("Kino does not download from " + t.refused_address +
                    " network addresses. Use a link to a public server.");
    }
    if (t.html) {
      return failed("The link points to a web page, not a video file. Use a direct link to the "
                    "video (mp4, webm, mkv, mov…) or an HLS playlist (.m3u8).");
    }
    if (t.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
      return failed("The video is larger than this server's limit of " + megabytes(limits.max_bytes) + ".");
    }
    if (t.no_disk) return failed("The server is out of disk space for this video. Try again later.");
    if (t.write_failed) return Error::internal("writing the download failed");
    switch (rc) {
      case CURLE_HTTP_RETURNED_ERROR:
        return failed("The video link answered HTTP " + std::to_string(status) +
                      (status == 404 ? " (not found)" : "") + ". Check that the link still works.");
      case CURLE_COULDNT_RESOLVE_HOST:
        return failed("The video link's host name could not be found. Check the link.");
      case CURLE_COULDNT_CONNECT:
        return failed("Kino could not connect to the video's server. Check the link or try later.");
      case CURLE_OPERATION_TIMEDOUT:
        // libcurl reports the low-speed limit and the time limit with the same code.
        if (std::string_view(errbuf).starts_with("Operation too slow")) {
          return failed("The video's server sent less than " + kilobytes(limits.min_bytes_per_s) +
                            "/s for " + std::to_string(limits.min_rate_window.count()) +
                            " s, so the download was stopped. Try a faster server.",
                        "source_too_slow");
        }
        return failed(
            "The download took too long and was stopped. Try a smaller file or a faster server.",
            "download_timeout");
      case CURLE_TOO_MANY_REDIRECTS:
        return failed("The link redirects too many times.");
      case CURLE_UNSUPPORTED_PROTOCOL:
        return failed("Only http:// and https:// links can be downloaded.");
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CONNECT_ERROR:
        return failed("The video's server has an invalid HTTPS certificate.");
      default:
        return failed("The download failed: " + std::string(errbuf[0] ? errbuf : curl_easy_strerror(rc)));
    }
  }
};

}  // namespace

std::unique_ptr<Downloader> makeCurlDownloader() { return std::make_unique<CurlDownloader>(); }

void curlGlobalInit() { curl_global_init(CURL_GLOBAL_DEFAULT); }

}  // namespace kino::ingest
