#include "kino/http/pipeline.hpp"

#include <algorithm>
#include <cctype>
#include <exception>

#include "kino/common/log.hpp"

namespace kino::http {
namespace {

constexpr std::string_view kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; font-src 'self'; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

bool isSafeMethod(std::string_view m) { return m == "GET" || m == "HEAD" || m == "OPTIONS"; }

bool isApiPath(std::string_view path) { return path == "/api" || path.rfind("/api/", 0) == 0; }

// A client-supplied request id is kept when it is short and plain; otherwise we make one.
bool saneRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

Response apiError(ErrorKind kind, std::string code, std::string message) {
  return Response::error(Error::make(kind, std::move(code), std::move(message)));
}

bool isLoopbackHost(std::string_view host_port) {
  std::string_view host = host_port;
  if (host.starts_with('[')) {
    const auto close = host.find(']');
    if (close == std::string_view::npos) return false;
    host = host.substr(1, close - 1);
    return host == "::1";
  }
  host = host.substr(0, host.find(':'));
  if (host == "localhost") return true;
  if (!host.starts_with("127.")) return false;
  int dots = 0;
  for (char c : host) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return dots == 3;
}

}  // namespace

Result<std::string> originFor(const Request& request, const PipelineOptions& options) {
  int hosts = 0;
  std::string_view host;
  for (const auto& [name, value] : request.headers.all()) {
    const bool is_host = name.size() == 4 && std::equal(name.begin(), name.end(), "host",
                                                         [](char a, char b) {
                                                           return std::tolower(static_cast<unsigned char>(a)) == b;
                                                         });
    if (is_host) {
      ++hosts;
      host = value;
    }
  }
  if (hosts > 1) {
    return Error::make(ErrorKind::kMalformed, "bad_host", "The request has more than one Host header.");
  }
  if (!options.public_origin.empty()) return options.public_origin;
  if (hosts == 0 || host.empty()) {
    return Error::make(ErrorKind::kMalformed, "bad_host", "The request has no Host header.");
  }
  bool trusted = isLoopbackHost(host);
  for (const auto& allowed : options.allowed_hosts) trusted = trusted || allowed == host;
  if (!trusted) {
    return Error::make(ErrorKind::kMalformed, "unknown_host",
                       "This server does not answer for that host name. Open it by the address "
                       "its operator published (server.public_origin or server.allowed_hosts).");
  }
  return std::string(request.secure ? "https://" : "http://") + std::string(host);
}

std::string ownOrigin(const Request& request, const std::string& configured) {
  if (!configured.empty()) return configured;
  const auto host = request.headers.get("Host");
  return std::string(request.secure ? "https://" : "http://") + std::string(host.value_or(""));
}

bool csrfAllowed(const Request& request, const std::string& own_origin) {
  if (isSafeMethod(request.method)) return true;
  const auto token = request.headers.get("X-Kino-CSRF");
  if (!token || *token != "1") return false;
  const auto origin = request.headers.get("Origin");
  return !origin || *origin == own_origin;
}

void addSecurityHeaders(Response& r) {
  if (!r.headers.has("Content-Security-Policy")) {
    r.headers.set("Content-Security-Policy", std::string(kCsp));
  }
  r.headers.set("X-Content-Type-Options", "nosniff");
  r.headers.set("Referrer-Policy", "no-referrer");
  r.headers.set("X-Frame-Options", "DENY");
  r.headers.set("Cross-Origin-Opener-Policy", "same-origin");
  r.headers.set("Permissions-Policy",
                "camera=(self), microphone=(self), display-capture=(), geolocation=()");
}

Pipeline::Pipeline(Router router, std::unique_ptr<StaticSite> site, common::Random& random,
                   PipelineOptions options)
    : router_(std::move(router)), site_(std::move(site)), random_(random),
      options_(std::move(options)) {}

void Pipeline::assignRequestId(Request& request) const {
  const auto incoming = request.headers.get("X-Request-Id");
  request.request_id = incoming && saneRequestId(*incoming) ? std::string(*incoming)
                                                            : common::randomToken(random_, 12);
}

void Pipeline::finish(const Request& request, Response& response) {
  response.headers.set("X-Request-Id", request.request_id);
  addSecurityHeaders(response);
  if (isApiPath(request.path) && !response.headers.has("Cache-Control")) {
    response.headers.set("Cache-Control", "no-store");
  }
}

Response Pipeline::refuse(Request& request, const Error& error) const {
  assignRequestId(request);
  Response response = Response::error(error);
  finish(request, response);
  return response;
}

Response Pipeline::handle(Request& request) const {
  assignRequestId(request);
  Response response;
  try {
    response = dispatch(request);
  } catch (const std::exception& e) {
    log::error("handler_exception", {{"request_id", request.request_id}, {"what", e.what()}});
    response = apiError(ErrorKind::kInternal, "internal_error",
                        "Something went wrong on our side. Please try again.");
  }
  finish(request, response);
  return response;
}

Response Pipeline::dispatch(const Request& request) const {
  auto origin = originFor(request, options_);
  if (!origin) return Response::error(origin.error());
  if (!csrfAllowed(request, *origin)) {
    return apiError(ErrorKind::kForbidden, "csrf_rejected",
                    "This request was refused as a possible cross-site request forgery. Reload "
                    "the page and try again.");
  }
  auto match = router_.match(request.method, request.path);
  if (request.method == "HEAD" && match.outcome == Router::Outcome::kMethodNotAllowed) {
    // HEAD is GET without the body (the listener drops it).
    if (auto get = router_.match("GET", request.path); get.outcome == Router::Outcome::kFound) {
      match = std::move(get);
    }
  }
  switch (match.outcome) {
    case Router::Outcome::kFound:
      return (*match.handler)(request, match.params);
    case Router::Outcome::kMethodNotAllowed: {
      Response r = apiError(ErrorKind::kMalformed, "method_not_allowed",
                            request.method + " is not allowed here.");
      r.status = 405;
      std::string allow;
      for (const auto& m : match.allowed) allow += (allow.empty() ? "" : ", ") + m;
      r.headers.set("Allow", allow);
      return r;
    }
    case Router::Outcome::kNotFound:
      break;
  }
  if (isApiPath(request.path)) {
    return apiError(ErrorKind::kNotFound, "not_found", "There is no such API endpoint.");
  }
  if (request.method != "GET" && request.method != "HEAD") {
    Response r = apiError(ErrorKind::kMalformed, "method_not_allowed",
                          request.method + " is not allowed here.");
    r.status = 405;
    r.headers.set("Allow", "GET, HEAD");
    return r;
  }
  if (!site_) return bundleUnavailablePage();
  return site_->serve(request);
}

}  // namespace kino::http
