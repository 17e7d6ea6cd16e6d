#pragma once
// Transport-neutral HTTP request/response values. Handlers and the router see only these; the Beast
// adapter (server.cpp) converts at the edge, so domain code never includes Beast.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "kino/common/result.hpp"

namespace kino::http {

// Header list with case-insensitive lookup; keeps insertion order and repeats.
class Headers {
 public:
  void add(std::string name, std::string value);
  // Replaces every header of that name with one.
  void set(std::string name, std::string value);
  std::optional<std::string_view> get(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }
  const std::vector<std::pair<std::string, std::string>>& all() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

struct Request {
  std::string method;     // "GET", "POST", ...
  std::string target;     // as received: path and query
  std::string path;       // target before '?', still percent-encoded
  std::string query;      // after '?', without it
  Headers headers;
  std::string body;
  std::string remote_ip;
  std::string request_id;  // set by the pipeline before routing
  bool secure = false;     // arrived over TLS
};

// A response body produced in chunks (large media files). The listener asks for the next chunk on a
// worker thread only after the previous one was written to the socket, so one response holds at most
// one chunk in memory however slowly its client reads. Called from one thread at a time.
class BodySource {
 public:
  virtual ~BodySource() = default;
  // The exact number of bytes next() produces in all (the Content-Length).
  virtual std::uint64_t size() const = 0;
  // Up to `max` further bytes, never empty before size() bytes were produced. An error (or fewer
  // bytes than announced) aborts the connection: the client sees a truncated body, not a wrong one.
  virtual Result<std::string> next(std::size_t max) = 0;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  // When set, the body comes from here instead of `body` (which must then be empty). Destroyed as
  // soon as the response is sent or the connection drops.
  std::shared_ptr<BodySource> source;

  static Response json(int status, const boost::json::value& body);
  // {"error": {"code", "message", "field"?}} with the status of error.kind (and Retry-After).
  static Response error(const Error& error);
  static Response noContent();
};

// Whether an If-None-Match header matches `etag` (RFC 9110 §13.1.2: "*", a list, weak comparison).
bool etagMatches(std::optional<std::string_view> if_none_match, std::string_view etag);

// The HTTP status for an error kind.
int statusFor(ErrorKind kind);

// `path` fit for logs: the token of a signed media path ("/media/s/<token>/...") is replaced by
// "REDACTED", since whoever reads the log could otherwise replay the link.
std::string loggablePath(std::string_view path);

// Decodes %XX escapes; nullopt on a malformed escape or an encoded NUL. '+' stays '+'.
std::optional<std::string> percentDecode(std::string_view text);
// The first value of `name` in an application/x-www-form-urlencoded query string, decoded.
std::optional<std::string> queryParam(std::string_view query, std::string_view name);

}  // namespace kino::http
