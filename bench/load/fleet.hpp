#pragma once
// The people the load generator plays: rooms of guests, each joined over REST (a kino_guest
// cookie) and holding one room socket (Origin and cookie as a browser sends them). Everything runs
// on one io_context thread, so nothing here locks. Times are steady_clock nanoseconds of this one
// process: a chat message carries its send time, and each receiver's latency is read against it.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "histogram.hpp"

namespace kino::bench {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

inline std::int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Where Kino listens (a numeric address) and the Origin a browser of it would send.
struct Target {
  tcp::endpoint endpoint;
  std::string host;    // "127.0.0.1:8080", the Host header
  std::string origin;  // "http://127.0.0.1:8080"
};

// What the receivers saw during one phase.
struct Counters {
  std::int64_t frames = 0;         // every frame Kino sent to any socket
  std::int64_t chat_received = 0;  // chat.message frames
  std::int64_t duplicates = 0;     // a chat message a socket had already
  std::int64_t errors = 0;         // error frames (rate limits included)
  Histogram latency;               // send → each receiver's chat.message, µs
};

class Guest;

struct Room {
  int index = 0;
  std::string slug;
  std::vector<std::shared_ptr<Guest>> guests;
  std::vector<std::int64_t> sent_ns;  // chat message n (from 1) → when it was sent; [0] unused
};

class Guest : public std::enable_shared_from_this<Guest> {
 public:
  Guest(asio::io_context& io, Room& room, int index, const Target& target, Counters& counters);

  // Asks for a guest grant (POST …/join); false with the reason printed when refused.
  asio::awaitable<bool> join();
  // Opens the room socket and waits for `hello`, then reads on in the background.
  asio::awaitable<bool> connect();
  // Queues a frame; frames go out one write at a time, in order. Nothing when not connected.
  void send(std::string frame);
  // Closes the socket (a person leaving); connect() again to come back.
  void leave();

  bool connected() const { return connected_; }
  std::int64_t helloNs() const { return hello_ns_; }
  std::int64_t leftNs() const { return left_ns_; }
  // Whether chat message n of the room reached this socket.
  bool got(std::size_t n) const { return n < got_.size() && got_[n] != 0; }

 private:
  using Socket = boost::beast::websocket::stream<boost::beast::tcp_stream>;
  asio::awaitable<void> readLoop(std::shared_ptr<Socket> ws);
  asio::awaitable<void> writeLoop(std::shared_ptr<Socket> ws);
  void onFrame(std::string_view text);

  asio::io_context& io_;
  Room& room_;
  const int index_;
  const Target& target_;
  Counters& counters_;
  std::string cookie_;
  std::shared_ptr<Socket> ws_;
  std::deque<std::string> out_;
  bool writing_ = false;
  bool connected_ = false;
  std::int64_t hello_ns_ = 0;
  std::int64_t left_ns_ = std::numeric_limits<std::int64_t>::max();
  std::vector<std::uint8_t> got_;
};

}  // namespace kino::bench
