#pragma once
// One signed HTTP exchange with an S3 service over libcurl: SigV4 by libcurl (CURLOPT_AWS_SIGV4,
// credentials as CURLOPT_USERNAME/PASSWORD, never in the URL), timeouts, no environment proxy, no
// redirects. Keeps a few idle easy handles so connections are reused. Thread-safe.

#include <curl/curl.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "kino/common/mutex.hpp"
#include "kino/common/result.hpp"
#include "kino/storage/s3_blob_store.hpp"

namespace kino::storage::s3 {

struct HttpRequest {
  std::string method;  // "GET", "HEAD", "PUT" or "DELETE"
  std::string url;
  std::string range;                             // "first-last" for GET, or empty
  std::string_view body;                         // the PUT body, unless `file` is set
  const std::filesystem::path* file = nullptr;   // PUT this file's content (streamed)
  std::uint64_t max_response_bytes = 64 * 1024;  // a longer body fails the exchange
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // of the final response; names in lower case
  std::string body;
};

class S3Http {
 public:
  // Copies the endpoint credentials, region and timeouts of `options`.
  explicit S3Http(const S3Options& options);
  ~S3Http();
  S3Http(const S3Http&) = delete;
  S3Http& operator=(const S3Http&) = delete;

  // One try. Errors: kUnavailable "s3_unavailable" when no complete HTTP response came (connection
  // refused or broken, timeout, DNS); kInternal "blob_io" when `file` cannot be read;
  // kInternal "s3_response_too_large" past max_response_bytes. Any HTTP status is a response.
  Result<HttpResponse> perform(const HttpRequest& request);

 private:
  CURL* acquire();             // an idle easy handle, or a new one (nullptr when out of memory)
  void release(CURL* handle);  // back to the pool, or cleaned up when the pool is full

  const std::string sigv4_;
  const std::string access_key_;
  const std::string secret_key_;
  const long connect_timeout_ms_;
  const long request_timeout_ms_;
  common::Mutex mu_;
  std::vector<CURL*> idle_ KINO_GUARDED_BY(mu_);
};

}  // namespace kino::storage::s3
