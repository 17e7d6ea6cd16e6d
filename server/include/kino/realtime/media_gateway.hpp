#pragma once
// The port between room actors and the video-call relay (docs/protocol.md, "Video chat"). A room
// actor hands a connection's signalling frames (already validated) to the gateway, which talks to
// the SFU and answers that connection directly through its Outlet (signalling frames are not room
// events: no seq, no replay). Implemented by media_janus's JanusRelay; absent when video chat is off.

#include <cstdint>
#include <memory>
#include <string>

#include "kino/realtime/outlet.hpp"
#include "kino/realtime/protocol.hpp"

namespace kino::realtime {

struct MediaPeer {
  std::int64_t room_id = 0;
  std::string room_slug;
  ConnId conn = 0;
  std::string participant_id;  // shown to the others as the owner of this peer's streams
  std::shared_ptr<Outlet> outlet;
};

class MediaGateway {
 public:
  virtual ~MediaGateway() = default;
  // Thread-safe, never blocks. Frames from one connection arrive in order.
  virtual void signal(MediaPeer peer, MediaSignal frame) = 0;
  // The connection closed: its streams stop for everyone. Unknown connections are ignored.
  virtual void leave(ConnId conn) = 0;
};

}  // namespace kino::realtime
