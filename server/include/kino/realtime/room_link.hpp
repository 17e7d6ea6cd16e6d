#pragma once
// A connection's way into its room: the room's actor when this node runs the room, or a relay to
// the node that does (over the bus). WebSocket sessions see only this, so a room behaves the same
// whichever node a browser reached.

#include <memory>
#include <string>

#include "kino/realtime/outlet.hpp"
#include "kino/realtime/room_core.hpp"

namespace kino::realtime {

class RoomLink {
 public:
  virtual ~RoomLink() = default;
  // Thread-safe and non-blocking; calls for one connection take effect in the order made.
  // Connects the connection that RoomHub::acquire() was called for; frames for it go to `outlet`.
  virtual void connect(Connect c, std::shared_ptr<Outlet> outlet) = 0;
  // The caller of acquire() will not connect after all (its upgrade failed).
  virtual void abandon() = 0;
  virtual void disconnect(ConnId conn) = 0;
  virtual void receive(ConnId conn, std::string text) = 0;
  // A frame the socket could not even read as text (binary, oversized): answered like a bad one.
  virtual void reject(ConnId conn, FrameError error) = 0;
};

}  // namespace kino::realtime
