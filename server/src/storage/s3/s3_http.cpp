#include "s3_http.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <system_error>

namespace kino::storage::s3 {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxIdleHandles = 16;

// The state libcurl's callbacks share during one exchange.
struct Exchange {
  HttpResponse response;
  std::uint64_t max_body = 0;
  bool too_large = false;
  std::ifstream* upload_file = nullptr;
  std::string_view upload_bytes;
  std::size_t uploaded = 0;
  bool upload_failed = false;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

std::size_t onHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto& x = *static_cast<Exchange*>(user);
  const std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    x.response.headers.clear();  // a new response (after "100 Continue")
    return line.size();
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return line.size();
  std::string name(trim(line.substr(0, colon)));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  x.response.headers[name] = std::string(trim(line.substr(colon + 1)));
  return line.size();
}

std::size_t onBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto& x = *static_cast<Exchange*>(user);
  const std::size_t n = size * count;
  if (x.response.body.size() + n > x.max_body) {
    x.too_large = true;
    return 0;  // aborts the transfer
  }
  x.response.body.append(data, n);
  return n;
}

std::size_t onUpload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto& x = *static_cast<Exchange*>(user);
  const std::size_t room = size * count;
  if (x.upload_file != nullptr) {
    x.upload_file->read(buffer, static_cast<std::streamsize>(room));
    const auto got = static_cast<std::size_t>(x.upload_file->gcount());
    if (got == 0 && !x.upload_file->eof()) {
      x.upload_failed = true;
      return CURL_READFUNC_ABORT;
    }
    return got;
  }
  const std::size_t n = std::min(room, x.upload_bytes.size() - x.uploaded);
  std::copy_n(x.upload_bytes.data() + x.uploaded, n, buffer);
  x.uploaded += n;
  return n;
}

// The URL without its query, for messages.
std::string_view withoutQuery(std::string_view url) { return url.substr(0, url.find('?')); }

}  // namespace

S3Http::S3Http(const S3Options& options)
    : sigv4_("aws:amz:" + options.region + ":s3"),
      access_key_(options.access_key),
      secret_key_(options.secret_key),
      connect_timeout_ms_(static_cast<long>(options.connect_timeout.count())),
      request_timeout_ms_(static_cast<long>(options.request_timeout.count())) {}

S3Http::~S3Http() {
  common::MutexLock lock(mu_);
  for (CURL* handle : idle_) curl_easy_cleanup(handle);
  idle_.clear();
}

CURL* S3Http::acquire() {
  {
    common::MutexLock lock(mu_);
    if (!idle_.empty()) {
      CURL* handle = idle_.back();
      idle_.pop_back();
      curl_easy_reset(handle);  // options go; kept connections stay
      return handle;
    }
  }
  return curl_easy_init();
}

void S3Http::release(CURL* handle) {
  {
    common::MutexLock lock(mu_);
    if (idle_.size() < kMaxIdleHandles) {
      idle_.push_back(handle);
      return;
    }
  }
  curl_easy_cleanup(handle);
}

Result<HttpResponse> S3Http::perform(const HttpRequest& request) {
  Exchange x;
  x.max_body = request.max_response_bytes;
  std::ifstream file;
  curl_off_t upload_size = 0;
  if (request.file != nullptr) {
    std::error_code ec;
    upload_size = static_cast<curl_off_t>(fs::file_size(*request.file, ec));
    if (!ec) file.open(*request.file, std::ios::binary);
    if (ec || !file) {
      return Error::make(
          ErrorKind::kInternal, "blob_io",
          "cannot read " + request.file->string() + (ec ? ": " + ec.message() : std::string()));
    }
    x.upload_file = &file;
  } else {
    x.upload_bytes = request.body;
    upload_size = static_cast<curl_off_t>(request.body.size());
  }

  CURL* curl = acquire();
  if (curl == nullptr) return Error::internal("libcurl could not create a handle");
  // curl 7.88 does not send the payload hash header itself, and S3 requires it.
  curl_slist* headers = curl_slist_append(nullptr, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
  char errbuf[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROXY, "");  // the endpoint is configured, not the environment
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, connect_timeout_ms_);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, request_timeout_ms_);
  curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4_.c_str());
  // Separately, not as "user:password": S3 access keys may contain ':' (Swift's "account:user").
  curl_easy_setopt(curl, CURLOPT_USERNAME, access_key_.c_str());
  curl_easy_setopt(curl, CURLOPT_PASSWORD, secret_key_.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "Kino/0.1 (media store)");
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, onHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &x);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, onBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &x);
  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method == "PUT") {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, onUpload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &x);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, upload_size);
  } else if (request.method == "DELETE") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "DELETE");
  } else {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  }
  if (!request.range.empty()) curl_easy_setopt(curl, CURLOPT_RANGE, request.range.c_str());

  const CURLcode rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &x.response.status);
  curl_slist_free_all(headers);
  release(curl);

  const std::string what = request.method + " " + std::string(withoutQuery(request.url));
  if (x.too_large) {
    return Error::make(ErrorKind::kInternal, "s3_response_too_large",
                       "S3 " + what + ": the answer is longer than expected");
  }
  if (x.upload_failed) {
    return Error::make(ErrorKind::kInternal, "blob_io",
                       "S3 " + what + ": reading " + request.file->string() + " failed");
  }
  if (rc != CURLE_OK) {
    const std::string reason = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
    return Error::make(ErrorKind::kUnavailable, "s3_unavailable", "S3 " + what + ": " + reason);
  }
  return std::move(x.response);
}

}  // namespace kino::storage::s3
