#pragma once
// What happens to every request between the socket and a handler: request id, CSRF check,
// routing (JSON 404/405 under /api/), the static SPA with history fallback, security headers, and
// one catch for exceptions that escape a handler. Thread-safe after construction.

#include <memory>
#include <string>
#include <vector>

#include "kino/common/random.hpp"
#include "kino/http/message.hpp"
#include "kino/http/router.hpp"
#include "kino/http/static_site.hpp"

namespace kino::http {

struct PipelineOptions {
  std::string public_origin;  // "scheme://host[:port]"; empty = "http(s)://" + a trusted Host
  // Host header values ("host[:port]") trusted besides loopback ones when public_origin is empty
  // (e.g. a LAN address). Any other Host is refused, so a foreign name (DNS rebinding, a forged
  // header) never ends up in room links, calendar files or the Origin check.
  std::vector<std::string> allowed_hosts;
};

class Pipeline {
 public:
  Pipeline(Router router, std::unique_ptr<StaticSite> site, common::Random& random,
           PipelineOptions options);

  // Produces the response for `request` (sets request.request_id). Blocks: call on a worker thread.
  Response handle(Request& request) const;
  // The response for a request refused before it reached routing (e.g. its body was too large):
  // `error` as JSON with the request id and security headers. Does not block.
  Response refuse(Request& request, const Error& error) const;

 private:
  Response dispatch(const Request& request) const;
  void assignRequestId(Request& request) const;
  static void finish(const Request& request, Response& response);

  Router router_;
  std::unique_ptr<StaticSite> site_;
  common::Random& random_;
  PipelineOptions options_;
};

// The origin this server answers as for `request`: the configured public origin; without one,
// "http(s)://" + Host when the Host is loopback (localhost, 127.0.0.0/8, [::1]) or allowed.
// kMalformed "bad_host" for a missing or repeated Host header, "unknown_host" for a Host that is
// not trusted.
Result<std::string> originFor(const Request& request, const PipelineOptions& options);
// The same origin for a request that already passed originFor (the pipeline checks every request;
// WebSocket admission calls originFor itself).
std::string ownOrigin(const Request& request, const std::string& configured_public_origin);
// The CSRF rule of docs/api/openapi.yaml: safe methods pass; others need "X-Kino-CSRF: 1" and, when
// an Origin header is present, Origin == own origin.
bool csrfAllowed(const Request& request, const std::string& own_origin);
// Adds CSP, nosniff, Referrer-Policy and friends to `response`.
void addSecurityHeaders(Response& response);

}  // namespace kino::http
