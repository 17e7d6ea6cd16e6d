#pragma once
// /healthz (the process answers) and /readyz (its dependencies answer: the store, Janus, the bus).

#include <functional>
#include <string>

#include "kino/http/router.hpp"
#include "kino/storage/store.hpp"

namespace kino::api {

// `media_status` answers "ok", "unavailable" or "off" for the Janus check, `bus_status` "ok" or
// "unavailable" for the bus to the other nodes. A node whose media server or bus is down still
// serves its own rooms' chat and video: /readyz stays 200 with "status": "degraded".
void addHealthRoutes(http::Router& router, storage::Store& store,
                     std::function<std::string()> media_status,
                     std::function<std::string()> bus_status);

}  // namespace kino::api
