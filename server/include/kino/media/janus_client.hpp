#pragma once
// Kino's client of one Janus node over its WebSocket API (subprotocol janus-protocol). It connects
// and keeps reconnecting (backoff 0.5 s doubling to 5 s), matches replies to requests by transaction
// (10 s timeout), waits past the "ack" of asynchronous plugin requests for their event, and hands
// unsolicited events (webrtcup, media, hangup, trickle, plugin events) to one handler. Replies are
// decoded by parseJanusMessage (untrusted input). Everything runs on the client's own strand; the
// public functions are thread-safe and callbacks run on that strand.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/json/object.hpp>

#include "kino/common/result.hpp"
#include "kino/media/janus_message.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace kino::media {

class JanusClient {
 public:
  using Callback = std::function<void(Result<JanusMessage>)>;
  using EventHandler = std::function<void(const JanusMessage&)>;

  JanusClient(boost::asio::io_context& io, std::string host, std::uint16_t port,
              std::string api_secret);
  ~JanusClient();

  void start();
  void stop();

  // Sends `request` ("janus", ids and body; the transaction and apisecret are added). `done` gets:
  // kSuccess/kEvent replies (for "message" requests answered with "ack", the event that follows),
  // Janus errors as kUnavailable "janus_error" (message = Janus's reason), timeouts and disconnects
  // as kUnavailable "janus_timeout" / "janus_disconnected".
  void call(boost::json::object request, Callback done);
  void onEvent(EventHandler handler);
  // Called with true when the socket opens and false when it closes (Janus drops every session that
  // was created over a closed socket, so users of sessions start over).
  void onConnectionChange(std::function<void(bool up)> handler);

  // True while the socket is open and the last health probe ("info") was answered.
  bool healthy() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace kino::media
