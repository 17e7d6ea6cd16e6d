#pragma once
// REST routes of rooms (docs/api/openapi.yaml): create, list, get, update, end, delete, join,
// calendar.ics, the chat transcript;
// and the guest cookie that identifies visitors without an account.

#include <functional>
#include <string>

#include "kino/accounts/account_service.hpp"
#include "kino/common/clock.hpp"
#include "kino/http/router.hpp"
#include "kino/api/room_json.hpp"
#include "kino/ingest/ingest_service.hpp"
#include "kino/rooms/retention.hpp"
#include "kino/rooms/room_service.hpp"

namespace kino::api {



struct RoomRoutesOptions {
  std::string public_origin;  // for absolute room URLs; empty = from the Host header
  bool secure_cookies = false;
};

struct RoomRoutesDeps {
  rooms::RoomService& rooms;
  accounts::AccountService& accounts;
  ingest::IngestService& ingest;
  storage::Store& store;
  const accounts::GuestTokens& guests;
  MediaLookup media;
  rooms::Retention& retention;  // DELETE /api/v1/rooms/{slug}
};

// Also GET /api/v1/rooms/{slug}/ingest and POST /api/v1/rooms/{slug}/ingest/retry (owner).
void addRoomRoutes(http::Router& router, RoomRoutesDeps deps, const RoomRoutesOptions& options);

// POST /api/v1/testing/clock {"advance_s": N}: moves `clock` forward, then calls `after_advance`
// (in a cluster: tell the other nodes). Only wired when the testing.clock_control switch is on.
void addTestingClockRoute(http::Router& router, common::OffsetClock& clock,
                          std::function<void()> after_advance = {});

}  // namespace kino::api
