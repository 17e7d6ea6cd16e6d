#include "kino/api/health_routes.hpp"

namespace kino::api {

void addHealthRoutes(http::Router& router, storage::Store& store) {
  router.add("GET", "/healthz", [](const http::Request&, const http::RouteParams&) {
    return http::Response::json(200, boost::json::object{{"status", "ok"}});
  });
  router.add("GET", "/readyz", [&store](const http::Request&, const http::RouteParams&) {
    auto ping = store.ping();
    boost::json::object checks{{"store", ping ? "ok" : ping.error().message}};
    return http::Response::json(ping ? 200 : 503,
                                boost::json::object{{"status", ping ? "ready" : "not_ready"},
                                                    {"checks", std::move(checks)}});
  });
}

}  // namespace kino::api
