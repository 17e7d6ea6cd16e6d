#pragma once
// /healthz (the process answers) and /readyz (its dependencies answer: the store, later Janus).

#include <functional>
#include <string>

#include "kino/http/router.hpp"
#include "kino/storage/store.hpp"

namespace kino::api {

// `media_status` answers "ok", "unavailable" or "off" for the Janus check. A node whose media server is
// down still serves chat and video: /readyz stays 200 with "status": "degraded".
void addHealthRoutes(http::Router& router, storage::Store& store,
                     std::function<std::string()> media_status);

}  // namespace kino::api
