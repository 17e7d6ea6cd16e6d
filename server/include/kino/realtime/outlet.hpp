#pragma once
// Where frames for one WebSocket connection go. Shared by room actors and the media relay.

#include <cstdint>
#include <memory>
#include <string>

namespace kino::realtime {

using ConnId = std::uint64_t;  // unique per connection within the process
using Frame = std::shared_ptr<const std::string>;

// WebSocket close codes Kino sends besides the standard ones (docs/protocol.md).
inline constexpr int kCloseRoomEnded = 4410;  // the room ended: do not reconnect
inline constexpr int kCloseSignedOut = 4401;  // the session was revoked (logout): do not reconnect

// Implementations are thread-safe (they post to their own strand) and never block.
class Outlet {
 public:
  virtual ~Outlet() = default;
  virtual void deliver(Frame frame) = 0;
  // Closes the connection with a WebSocket close code and reason.
  virtual void close(int code, std::string reason) = 0;
};

}  // namespace kino::realtime
