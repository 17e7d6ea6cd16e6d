#pragma once
// WS /api/v1/rooms/{slug}/ws: admits the upgrade (Admit, on the worker pool), holds a place in the
// ConnectionRegistry (caps per person, address and room: 429/409 before the upgrade), accepts the
// WebSocket, and connects it to the room's actor. Heartbeats: Beast pings an idle socket and drops
// it when nothing arrives for `idle_timeout`. Frames to a client wait in a bounded queue; overflow
// disconnects. A close asked for by the room (room ended, signed out) goes out after the frames
// already queued.

#include <chrono>
#include <cstddef>
#include <functional>

#include "kino/common/random.hpp"
#include "kino/realtime/admission.hpp"
#include "kino/realtime/connection_registry.hpp"
#include "kino/realtime/room_hub.hpp"

namespace kino::http {
struct Upgrade;
}  // namespace kino::http

namespace kino::realtime {

struct WsOptions {
  std::size_t max_outbound_frames = 2048;  // soft limits of OutboundQueue
  std::size_t max_outbound_bytes = 4 * 1024 * 1024;
  std::chrono::seconds idle_timeout{20};  // dead sockets are noticed within this
  // Messages above kMaxFrameBytes get an error frame; above this the socket is closed (1009).
  std::size_t max_message_bytes = 64 * 1024 * 1024;
  bool access_log = true;
};

// `hub`, `workers`, `random` and `registry` must outlive every connection.
std::function<void(http::Upgrade&&)> makeWebSocketEndpoint(RoomHub& hub,
                                                           boost::asio::thread_pool& workers,
                                                           Admit admit, common::Random& random,
                                                           ConnectionRegistry& registry,
                                                           WsOptions options);

}  // namespace kino::realtime
