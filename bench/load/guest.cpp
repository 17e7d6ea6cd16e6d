#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <charconv>
#include <iostream>

#include "fleet.hpp"

namespace kino::bench {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

Guest::Guest(asio::io_context& io, Room& room, int index, const Target& target, Counters& counters)
    : io_(io), room_(room), index_(index), target_(target), counters_(counters) {}

asio::awaitable<bool> Guest::join() {
  beast::tcp_stream stream(io_);
  stream.expires_after(std::chrono::seconds(30));
  if (auto [ec] = co_await stream.async_connect(target_.endpoint, kAwait); ec) {
    std::cerr << "join: connect: " << ec.message() << "\n";
    co_return false;
  }
  http::request<http::string_body> req{http::verb::post, "/api/v1/rooms/" + room_.slug + "/join",
                                       11};
  req.set(http::field::host, target_.host);
  req.set(http::field::origin, target_.origin);
  req.set(http::field::content_type, "application/json");
  req.set("X-Kino-CSRF", "1");
  req.body() =
      R"({"display_name":"g)" + std::to_string(room_.index) + "-" + std::to_string(index_) + "\"}";
  req.prepare_payload();
  if (auto [ec, n] = co_await http::async_write(stream, req, kAwait); ec) co_return false;
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  if (auto [ec, n] = co_await http::async_read(stream, buffer, res, kAwait); ec) co_return false;
  if (res.result() != http::status::ok) {
    std::cerr << "join " << room_.slug << ": " << res.result_int() << " " << res.body() << "\n";
    co_return false;
  }
  cookie_.clear();
  for (const auto& field : res.base()) {
    if (field.name() != http::field::set_cookie) continue;
    const std::string_view value = field.value();
    if (!cookie_.empty()) cookie_ += "; ";
    cookie_ += value.substr(0, value.find(';'));
  }
  co_return !cookie_.empty();
}

asio::awaitable<bool> Guest::connect() {
  auto ws = std::make_shared<Socket>(io_);
  beast::get_lowest_layer(*ws).expires_after(std::chrono::seconds(30));
  if (auto [ec] = co_await beast::get_lowest_layer(*ws).async_connect(target_.endpoint, kAwait);
      ec) {
    co_return false;
  }
  beast::get_lowest_layer(*ws).expires_never();
  ws->set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  ws->set_option(websocket::stream_base::decorator([this](websocket::request_type& r) {
    r.set(http::field::cookie, cookie_);
    r.set(http::field::origin, target_.origin);
  }));
  if (auto [ec] =
          co_await ws->async_handshake(target_.host, "/api/v1/rooms/" + room_.slug + "/ws", kAwait);
      ec) {
    std::cerr << "socket " << room_.slug << ": " << ec.message() << "\n";
    co_return false;
  }
  beast::flat_buffer buffer;
  for (;;) {  // until hello (nothing else comes first)
    auto [ec, n] = co_await ws->async_read(buffer, kAwait);
    if (ec) co_return false;
    const std::string_view text(static_cast<const char*>(buffer.data().data()), buffer.size());
    ++counters_.frames;
    const bool hello = text.find(R"("type":"hello")") != std::string_view::npos;
    buffer.consume(buffer.size());
    if (hello) break;
  }
  ws_ = ws;
  connected_ = true;
  hello_ns_ = nowNs();
  left_ns_ = std::numeric_limits<std::int64_t>::max();
  asio::co_spawn(io_, readLoop(ws), asio::detached);
  if (!out_.empty() && !writing_) {
    writing_ = true;
    asio::co_spawn(io_, writeLoop(ws), asio::detached);
  }
  co_return true;
}

void Guest::send(std::string frame) {
  if (!connected_) return;
  out_.push_back(std::move(frame));
  if (writing_) return;
  writing_ = true;
  asio::co_spawn(io_, writeLoop(ws_), asio::detached);
}

void Guest::leave() {
  if (!ws_) return;
  connected_ = false;
  left_ns_ = nowNs();
  out_.clear();
  beast::get_lowest_layer(*ws_).close();  // the read loop ends with an error
  ws_.reset();
}

// Runs while `writing_` (set by whoever spawned it); hands over to a new socket's loop if the
// socket changed meanwhile (a person who left and came back).
asio::awaitable<void> Guest::writeLoop(std::shared_ptr<Socket> ws) {
  while (!out_.empty() && ws == ws_) {
    std::string frame = std::move(out_.front());
    out_.pop_front();
    if (auto [ec, n] = co_await ws->async_write(asio::buffer(frame), kAwait); ec) break;
  }
  if (!out_.empty() && ws_ && ws_ != ws && connected_) {
    asio::co_spawn(io_, writeLoop(ws_), asio::detached);
    co_return;
  }
  writing_ = false;
}

asio::awaitable<void> Guest::readLoop(std::shared_ptr<Socket> ws) {
  beast::flat_buffer buffer;
  for (;;) {
    auto [ec, n] = co_await ws->async_read(buffer, kAwait);
    if (ec) break;
    onFrame(std::string_view(static_cast<const char*>(buffer.data().data()), buffer.size()));
    buffer.consume(buffer.size());
  }
  if (ws == ws_) {  // dropped by the server, not by leave()
    connected_ = false;
    left_ns_ = nowNs();
    ws_.reset();
  }
}

// Frames are scanned, not parsed: the generator must not be the bottleneck. A chat message's text
// is "<n> <sent_ns>" (see main.cpp).
void Guest::onFrame(std::string_view text) {
  ++counters_.frames;
  if (text.find(R"("type":"chat.message")") == std::string_view::npos) {
    if (text.find(R"("type":"error")") != std::string_view::npos) ++counters_.errors;
    return;
  }
  const auto at = text.find(R"("text":")");
  if (at == std::string_view::npos) return;
  const char* p = text.data() + at + 8;
  const char* end = text.data() + text.size();
  std::size_t n = 0;
  std::int64_t sent = 0;
  auto r = std::from_chars(p, end, n);
  if (r.ec != std::errc() || r.ptr >= end || *r.ptr != ' ') return;
  if (std::from_chars(r.ptr + 1, end, sent).ec != std::errc()) return;
  ++counters_.chat_received;
  if (n >= got_.size()) got_.resize(n + 1024, 0);
  if (got_[n] != 0) {
    ++counters_.duplicates;
    return;
  }
  got_[n] = 1;
  counters_.latency.add((nowNs() - sent) / 1000);
}

}  // namespace kino::bench
