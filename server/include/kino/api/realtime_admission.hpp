#pragma once
// The rule for opening a room's WebSocket (docs/protocol.md, "Connecting"): the Origin, when
// present, is Kino's own; the visitor (session or guest cookie) has joined the room (grant or
// owner).

#include <string>

#include "kino/accounts/account_service.hpp"
#include "kino/api/room_json.hpp"
#include "kino/http/pipeline.hpp"
#include "kino/realtime/admission.hpp"
#include "kino/rooms/room_service.hpp"

namespace kino::api {

Result<realtime::Admission> admitRealtime(const http::Request& request, const std::string& slug,
                                          accounts::AccountService& accounts,
                                          rooms::RoomService& rooms,
                                          const accounts::GuestTokens& guests,
                                          const MediaLookup& media,
                                          const http::PipelineOptions& origin_policy);

}  // namespace kino::api
