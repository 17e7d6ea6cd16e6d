#pragma once
// The video-call relay (docs/ARCHITECTURE.md "Media (video chat)", docs/protocol.md "Video chat"):
// Kino's side of Janus's VideoRoom for every participant who joins a room's call. Per Kino room,
// one VideoRoom created on demand (random id, secret and pin; destroyed when the last participant
// leaves). Per participant, one Janus session with a publisher handle (joined at once, publishing
// when the browser offers) and one multistream subscriber handle that the relay keeps subscribed to
// every other publishing participant. Offers, answers and candidates are passed between the browser
// and Janus; Janus's events (new and gone publishers, talking, trickle, timeouts) are turned into
// protocol frames.
//
// All state lives on the relay's strand. Frames of one participant are handled one at a time, in
// order. When the connection to Janus drops, every participant gets media.closed and starts over.
// After stop() (the node shuts down) sessions and VideoRooms are no longer destroyed: Janus keeps a
// gone client's sessions for `reclaim_session_timeout`, the browsers' media with them, while they
// join the call again through another node (web/src/core/call/handover.ts).

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "kino/common/random.hpp"
#include "kino/media/janus_client.hpp"
#include "kino/realtime/media_gateway.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace kino::media {

struct RelaySettings {
  std::string videoroom_admin_key;  // the VideoRoom plugin's admin_key ("" when it has none)
  int publishers = 64;              // VideoRoom publisher limit (the target is 30 per room)
  int bitrate = 900'000;            // per publisher, bits/s (simulcast layers share it)
  std::chrono::seconds keepalive{25};  // well inside Janus's 60 s session timeout
};

class JanusRelay final : public realtime::MediaGateway {
 public:
  // `janus` and `random` must outlive the relay.
  JanusRelay(boost::asio::io_context& io, JanusClient& janus, common::Random& random,
             RelaySettings settings);
  ~JanusRelay() override;

  // Takes over `janus`'s event and connection handlers; starts the keepalive timer.
  void start();
  void stop();

  void signal(realtime::MediaPeer peer, realtime::MediaSignal frame) override;
  void leave(realtime::ConnId conn) override;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace kino::media
