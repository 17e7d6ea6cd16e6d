#include "kino/api/health_routes.hpp"

namespace kino::api {

void addHealthRoutes(http::Router& router, storage::Store& store,
                     std::function<std::string()> media_status,
                     std::function<std::string()> bus_status) {
  router.add("GET", "/healthz", [](const http::Request&, const http::RouteParams&) {
    return http::Response::json(200, boost::json::object{{"status", "ok"}});
  });
  router.add("GET", "/readyz",
             [&store, media_status = std::move(media_status), bus_status = std::move(bus_status)](
                 const http::Request&, const http::RouteParams&) {
               auto ping = store.ping();
               const std::string media = media_status ? media_status() : "off";
               const std::string bus = bus_status ? bus_status() : "ok";
               boost::json::object checks{
                   {"store", ping ? "ok" : ping.error().message}, {"janus", media}, {"bus", bus}};
               const char* status = !ping                                            ? "not_ready"
                                    : media == "unavailable" || bus == "unavailable" ? "degraded"
                                                                                     : "ready";
               return http::Response::json(
                   ping ? 200 : 503,
                   boost::json::object{{"status", status}, {"checks", std::move(checks)}});
             });
}

}  // namespace kino::api
