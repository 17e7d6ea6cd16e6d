#include "kino/storage/s3_blob_store.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <mutex>
#include <thread>

#include "kino/common/log.hpp"
#include "s3_addressing.hpp"
#include "s3_http.hpp"
#include "s3_xml.hpp"

namespace kino::storage {
namespace {

using s3::HttpRequest;
using s3::HttpResponse;

constexpr std::uint64_t kListingBytes = 4 * 1024 * 1024;  // one ListObjectsV2 page of 1000 keys
constexpr std::uint64_t kErrorBodyBytes = 64 * 1024;

Error badKey(std::string_view key) {
  return Error::make(ErrorKind::kInvalid, "bad_blob_key",
                     "invalid blob key '" + std::string(key) + "'");
}

Error notFound() { return Error::make(ErrorKind::kNotFound, "not_found", "no such media file"); }

Error badOptions(const std::string& why) {
  return Error::make(ErrorKind::kInvalid, "s3_bad_options", why);
}

bool success2xx(const HttpResponse& r) { return r.status >= 200 && r.status < 300; }

// Whether a try that ended like this is worth another: the service was unreachable, timed out or
// broke the connection, or answered that it is failing or overloaded.
bool transient(const Result<HttpResponse>& r) {
  if (!r) return r.error().kind == ErrorKind::kUnavailable;
  return r->status >= 500 || r->status == 429;
}

HttpRequest request(std::string method, std::string url) {
  HttpRequest r;
  r.method = std::move(method);
  r.url = std::move(url);
  return r;
}

std::uint64_t parseSize(std::string_view text) {
  std::uint64_t v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

class S3BlobStore final : public BlobStore {
 public:
  S3BlobStore(S3Options options, s3::Endpoint endpoint)
      : options_(std::move(options)), endpoint_(std::move(endpoint)), http_(options_) {}

  Result<void> putFile(std::string_view key, const std::filesystem::path& local) override {
    if (!validBlobKey(key)) return badKey(key);
    HttpRequest r = request("PUT", urlOf(key));
    r.file = &local;
    return expectSuccess(send(r), r, key);
  }

  Result<void> putBytes(std::string_view key, std::string_view data) override {
    if (!validBlobKey(key)) return badKey(key);
    HttpRequest r = request("PUT", urlOf(key));
    r.body = data;
    return expectSuccess(send(r), r, key);
  }

  Result<BlobInfo> stat(std::string_view key) override {
    if (!validBlobKey(key)) return badKey(key);
    const HttpRequest r = request("HEAD", urlOf(key));
    auto res = send(r);
    if (!res) return res.error();
    if (res->status == 404) return notFound();
    if (!success2xx(*res)) return statusError(*res, r, key);
    BlobInfo info;
    info.size = parseSize(header(*res, "content-length"));
    const time_t modified =
        curl_getdate(std::string(header(*res, "last-modified")).c_str(), nullptr);
    info.modified = std::chrono::system_clock::from_time_t(std::max<time_t>(modified, 0));
    info.etag = std::string(header(*res, "etag"));
    if (info.etag.empty()) {
      info.etag = "\"" + std::to_string(info.size) + "-" + std::to_string(modified) + "\"";
    }
    return info;
  }

  Result<std::string> read(std::string_view key, std::uint64_t offset,
                           std::uint64_t length) override {
    if (!validBlobKey(key)) return badKey(key);
    if (length == 0) {
      auto info = stat(key);
      if (!info) return info.error();
      return std::string();
    }
    HttpRequest r = request("GET", urlOf(key));
    r.range = std::to_string(offset) + "-" + std::to_string(offset + length - 1);
    r.max_response_bytes = std::max(length, kErrorBodyBytes);
    auto res = send(r);
    if (!res) return res.error();
    if (res->status == 404) return notFound();
    if (res->status == 416) return std::string();  // the blob exists but ends before `offset`
    if (res->status == 206) return std::move(res->body);
    if (res->status == 200) {  // the whole blob: the service ignored the range
      if (offset >= res->body.size()) return std::string();
      return res->body.substr(offset, length);
    }
    return statusError(*res, r, key);
  }

  Result<void> removePrefix(std::string_view prefix) override {
    if (!validBlobKey(prefix)) return badKey(prefix);
    const std::string under = std::string(prefix) + "/";
    std::string token;
    for (;;) {
      std::vector<std::pair<std::string, std::string>> params{{"list-type", "2"},
                                                              {"prefix", under}};
      if (!token.empty()) params.emplace_back("continuation-token", token);
      HttpRequest list = request("GET", urlOf("", s3::canonicalQuery(std::move(params))));
      list.max_response_bytes = kListingBytes;
      auto res = send(list);
      if (!res) return res.error();
      if (!success2xx(*res)) return statusError(*res, list, under);
      auto page = s3::parseListPage(res->body);
      if (!page) return page.error();
      for (const auto& key : page->keys) {
        const HttpRequest del = request("DELETE", urlOf(key));
        auto gone = send(del);
        if (!gone) return gone.error();
        if (!success2xx(*gone) && gone->status != 404) return statusError(*gone, del, key);
      }
      if (!page->truncated) return success();
      token = page->continuation_token;
    }
  }

  std::uint64_t preferredReadSize() const override { return options_.read_size; }

  // HEAD on the bucket: whether it exists and the credentials are accepted.
  Result<void> checkBucket() {
    const HttpRequest r = request("HEAD", urlOf(""));
    auto res = send(r);
    const std::string where = "S3 bucket '" + options_.bucket + "' at " + options_.endpoint;
    if (!res) {
      return Error::make(ErrorKind::kUnavailable, "s3_unavailable",
                         "cannot reach " + where + ": " + res.error().message);
    }
    if (success2xx(*res)) return success();
    if (res->status == 404) {
      return Error::make(ErrorKind::kNotFound, "s3_no_such_bucket",
                         where + " does not exist; create it first");
    }
    if (res->status == 403) {
      return Error::make(ErrorKind::kInternal, "s3_access_denied",
                         where +
                             " refused access (HTTP 403): check storage.s3_access_key, "
                             "storage.s3_secret_key and storage.s3_region");
    }
    Error e = statusError(*res, r, "");
    e.message = where + ": " + e.message;
    return e;
  }

 private:
  std::string urlOf(std::string_view key, std::string_view query = {}) const {
    return s3::objectUrl(endpoint_, options_.bucket, options_.path_style, key, query);
  }

  static std::string_view header(const HttpResponse& r, const std::string& name) {
    auto it = r.headers.find(name);
    return it == r.headers.end() ? std::string_view() : std::string_view(it->second);
  }

  // Tries `r` up to options_.attempts times while the outcome is transient, waiting backoff, 2×
  // backoff, … in between. Returns the last outcome.
  Result<HttpResponse> send(const HttpRequest& r) {
    auto delay = options_.backoff;
    for (int attempt = 1;; ++attempt) {
      auto res = http_.perform(r);
      if (!transient(res) || attempt >= options_.attempts) return res;
      log::warn("s3_retry",
                {{"method", r.method},
                 {"url", r.url.substr(0, r.url.find('?'))},
                 {"attempt", attempt},
                 {"reason", res ? "HTTP " + std::to_string(res->status) : res.error().message}});
      if (options_.sleep) {
        options_.sleep(delay);
      } else {
        std::this_thread::sleep_for(delay);
      }
      delay *= 2;
    }
  }

  Result<void> expectSuccess(const Result<HttpResponse>& res, const HttpRequest& r,
                             std::string_view key) const {
    if (!res) return res.error();
    if (!success2xx(*res)) return statusError(*res, r, key);
    return success();
  }

  // The error for an unexpected status: kUnavailable when the service kept failing (5xx, 429),
  // else kInternal; the code is "s3_" + the S3 error code in snake case (or "s3_http_<status>").
  Error statusError(const HttpResponse& res, const HttpRequest& r, std::string_view key) const {
    const auto body = s3::parseErrorBody(res.body);
    std::string message = "S3 " + r.method + " " + options_.bucket + "/" + std::string(key) +
                          ": HTTP " + std::to_string(res.status);
    if (!body.code.empty()) message += " " + body.code;
    if (!body.message.empty()) message += ": " + body.message;
    if (res.status >= 500 || res.status == 429) {
      return Error::make(ErrorKind::kUnavailable, "s3_unavailable", message);
    }
    const std::string code =
        body.code.empty() ? "http_" + std::to_string(res.status) : s3::snakeCase(body.code);
    return Error::make(ErrorKind::kInternal, "s3_" + code, message);
  }

  const S3Options options_;
  const s3::Endpoint endpoint_;
  s3::S3Http http_;
};

}  // namespace

Result<std::unique_ptr<BlobStore>> openS3BlobStore(S3Options options) {
  auto endpoint = s3::parseEndpoint(options.endpoint);
  if (!endpoint) return endpoint.error();
  if (options.bucket.empty()) return badOptions("the S3 bucket is not set");
  if (options.access_key.empty() || options.secret_key.empty()) {
    return badOptions("the S3 access key and secret key must both be set");
  }
  if (options.region.empty()) return badOptions("the S3 region is not set");
  if (options.attempts < 1) return badOptions("S3 attempts must be at least 1");
  if (options.read_size < 64 * 1024) return badOptions("S3 read size must be at least 64 KiB");
  static std::once_flag curl_ready;
  std::call_once(curl_ready, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  auto store = std::make_unique<S3BlobStore>(std::move(options), std::move(endpoint).value());
  if (auto ok = store->checkBucket(); !ok) return ok.error();
  return std::unique_ptr<BlobStore>(std::move(store));
}

}  // namespace kino::storage
