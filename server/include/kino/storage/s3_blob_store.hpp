#pragma once
// The S3 adapter of BlobStore: one object per key in one bucket of any S3-compatible service (AWS
// S3, OpenStack Swift's s3api, MinIO, Ceph radosgw, …). Requests are signed by libcurl (AWS
// Signature Version 4, CURLOPT_AWS_SIGV4); the credentials travel only in the signature, never in a
// URL, and the secret key is never logged.
//
//   putFile/putBytes  one PUT of the whole object (a file is streamed from disk); S3 replaces an
//                     object atomically, so readers see the old or the new content
//   stat              HEAD: Content-Length, ETag (the service's, e.g. the MD5), Last-Modified
//   read              GET with Range
//   removePrefix      ListObjectsV2 of "<prefix>/" page by page, one DELETE per object
//
// Every request is idempotent and is tried up to `attempts` times, waiting `backoff`, 2×, 4×, …
// between tries, when the service cannot be reached, the connection breaks or times out, or it
// answers 5xx or 429. Errors: kNotFound for 404 (stat, read); kUnavailable ("s3_unavailable") when
// the service stayed unreachable or kept answering 5xx; kInternal otherwise, with the S3 error code
// in Error::code ("s3_access_denied", "s3_no_such_bucket", …) and in the message. Thread-safe: each
// call takes an idle libcurl handle from a small pool (kept connections are reused) or makes one.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "kino/storage/blob_store.hpp"

namespace kino::storage {

struct S3Options {
  // "http(s)://host[:port]", no credentials, path or query. AWS:
  // "https://s3.<region>.amazonaws.com".
  std::string endpoint;
  std::string bucket;
  std::string region = "us-east-1";
  std::string access_key;
  std::string secret_key;
  // true: <endpoint>/<bucket>/<key>. false (virtual-hosted style):
  // <scheme>://<bucket>.<host>/<key>.
  bool path_style = true;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{120000};  // one try of one request, transfer included
  int attempts = 4;                                   // tries of one request (1 = no retry)
  std::chrono::milliseconds backoff{250};             // before the first retry; doubles each time
  std::size_t read_size = 1024 * 1024;                // preferredReadSize(): bytes per GET
  // Waits between tries; empty = std::this_thread::sleep_for. Tests pass their own.
  std::function<void(std::chrono::milliseconds)> sleep;
};

// Opens the store and checks that the bucket exists and the credentials are accepted (HEAD on the
// bucket, with retries). Errors name the endpoint and bucket: kNotFound "s3_no_such_bucket",
// kUnavailable "s3_unavailable", kInternal "s3_access_denied" (or another S3 code), kInvalid
// "s3_bad_options" for options that cannot work (empty endpoint, bucket or credentials, an
// endpoint with userinfo, a path or a query).
// Initialises libcurl globally the first time (call it before starting threads).
Result<std::unique_ptr<BlobStore>> openS3BlobStore(S3Options options);

}  // namespace kino::storage
