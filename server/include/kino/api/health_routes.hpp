#pragma once
// /healthz (the process answers) and /readyz (its dependencies answer: the store, later Janus).

#include "kino/http/router.hpp"
#include "kino/storage/store.hpp"

namespace kino::api {

void addHealthRoutes(http::Router& router, storage::Store& store);

}  // namespace kino::api
