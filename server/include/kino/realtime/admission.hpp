#pragma once
// Who may open a room's WebSocket, decided before the upgrade is accepted.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <boost/json/object.hpp>

#include "kino/common/result.hpp"
#include "kino/http/message.hpp"
#include "kino/realtime/room_core.hpp"

namespace kino::realtime {

struct Admission {
  std::int64_t room_id = 0;
  std::string slug;
  std::string principal;
  Member member;
  boost::json::object room;  // the room as this visitor sees it
  std::optional<std::int64_t> resume_from;
  bool is_owner = false;
  std::string session;  // hash of the session token (signed-in visitors): logout closes the socket
};

// Decides on an upgrade request for room `slug`: kForbidden (foreign Origin, no grant), kNotFound,
// kConflict "room_ended", kMalformed (bad resume_from)... Blocks on the store: runs on the worker
// pool.
using Admit = std::function<Result<Admission>(const http::Request& request, const std::string& slug)>;

}  // namespace kino::realtime
