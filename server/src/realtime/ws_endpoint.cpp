// The Beast WebSocket adapter: the only TU of the realtime module that includes Beast.
#include "kino/realtime/ws_endpoint.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>

#include "kino/common/log.hpp"
#include "kino/http/pipeline.hpp"
#include "kino/http/upgrade.hpp"
#include "kino/realtime/outbound_queue.hpp"
#include "kino/realtime/protocol.hpp"

namespace kino::realtime {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace websocket = beast::websocket;
using asio::awaitable;
using asio::use_awaitable;
constexpr auto kTuple = asio::as_tuple(use_awaitable);
using WsStream = websocket::stream<beast::tcp_stream>;
constexpr std::size_t kReadChunk = 16 * 1024;
// How long a close asked for by the room waits for the frames queued before it.
constexpr auto kCloseFlushTimeout = std::chrono::seconds(5);

// "/api/v1/rooms/{slug}/ws" → slug
std::optional<std::string> slugFromPath(std::string_view path) {
  constexpr std::string_view kPrefix = "/api/v1/rooms/", kSuffix = "/ws";
  if (!path.starts_with(kPrefix) || !path.ends_with(kSuffix)) return std::nullopt;
  auto slug = path.substr(kPrefix.size(), path.size() - kPrefix.size() - kSuffix.size());
  if (slug.empty() || slug.find('/') != std::string_view::npos) return std::nullopt;
  return http::percentDecode(slug);
}

// One accepted WebSocket: the outlet the room actor writes to, and the read loop.
class WsSession final : public Outlet, public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(WsStream ws, const WsOptions& o, std::shared_ptr<void> open_guard,
            ConnectionRegistry::Place place)
      : ws_(std::move(ws)), queue_(o.max_outbound_frames, o.max_outbound_bytes),
        close_timer_(ws_.get_executor()), open_guard_(std::move(open_guard)),
        place_(std::move(place)) {}

  void deliver(Frame frame) override {
    asio::post(ws_.get_executor(), [self = shared_from_this(), frame = std::move(frame)]() mutable {
      self->enqueue(std::move(frame));
    });
  }

  void close(int code, std::string reason) override {
    asio::post(ws_.get_executor(), [self = shared_from_this(), code, reason = std::move(reason)] {
      self->requestClose(code, reason);
    });
  }

  // Once accepted: a revoked session can reach it through the registry.
  void attachPlace() { place_.attach(weak_from_this()); }

  // Reads messages until the socket closes, then tells the actor the connection is gone. A message
  // larger than kMaxFrameBytes is read and dropped piece by piece (memory stays bounded) and
  // answered with an error frame; the socket stays open.
  awaitable<void> readLoop(std::shared_ptr<RoomLink> actor, ConnId conn) {
    beast::flat_buffer buffer;
    bool oversized = false;
    for (;;) {
      auto [ec, n] = co_await ws_.async_read_some(buffer, kReadChunk, kTuple);
      if (ec) {
        if (ec == websocket::error::message_too_big) {
          // Beast has sent close 1009; drain what the client still sends for a moment so it can
          // read that close instead of seeing a reset.
          log::info("ws_message_too_big", {{"conn", conn}});
          auto& tcp = beast::get_lowest_layer(ws_);
          boost::system::error_code ignored;
          tcp.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
          tcp.expires_after(std::chrono::seconds(2));
          std::array<char, 16 * 1024> sink;
          for (std::size_t total = 0; total < (64u << 20);) {
            auto [rec, got] = co_await tcp.async_read_some(asio::buffer(sink), kTuple);
            if (rec) break;
            total += got;
          }
        }
        break;
      }
      if (buffer.size() > kMaxFrameBytes) {
        oversized = true;
        buffer.consume(buffer.size());
      }
      if (!ws_.is_message_done()) continue;
      if (oversized) {
        actor->reject(conn, {"frame_too_large",
                             "The frame is larger than " + std::to_string(kMaxFrameBytes) + " bytes.",
                             {}});
      } else if (!ws_.got_text()) {
        actor->reject(conn, {"malformed_frame", "Only text frames with JSON are understood.", {}});
      } else {
        actor->receive(conn, beast::buffers_to_string(buffer.data()));
      }
      buffer.consume(buffer.size());
      oversized = false;
    }
    closing_ = true;
    actor->disconnect(conn);
  }

 private:
  void enqueue(Frame frame) {
    if (closing_ || close_code_) return;
    if (!queue_.push(std::move(frame), std::chrono::steady_clock::now())) {
      // The client does not read fast enough: drop it rather than slow the room or grow memory.
      log::warn("ws_slow_consumer", {{"queued_bytes", queue_.bytes()}});
      closing_ = true;
      beast::get_lowest_layer(ws_).close();
      return;
    }
    if (writing_) return;
    writing_ = true;
    asio::co_spawn(ws_.get_executor(), writeLoop(shared_from_this()), log::LogFailure{"ws_write"});
  }

  static awaitable<void> writeLoop(std::shared_ptr<WsSession> self) {
    while (!self->queue_.empty() && !self->closing_) {
      self->ws_.text(true);
      auto [ec, n] = co_await self->ws_.async_write(asio::buffer(*self->queue_.front()), kTuple);
      if (ec) break;
      self->queue_.pop(std::chrono::steady_clock::now());
    }
    self->writing_ = false;
    if (self->close_code_ && !self->closing_) self->startClose();
  }

  // The close goes out after what is already queued (room.ended before its close), but waits at
  // most kCloseFlushTimeout for a client that does not read.
  void requestClose(int code, const std::string& reason) {
    if (closing_ || close_code_) return;
    close_code_ = code;
    close_reason_ = reason;
    if (!writing_) {
      startClose();
      return;
    }
    close_timer_.expires_after(kCloseFlushTimeout);
    close_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->closing_) return;
      self->closing_ = true;
      beast::get_lowest_layer(self->ws_).close();
    });
  }

  void startClose() {
    closing_ = true;
    close_timer_.cancel();
    asio::co_spawn(
        ws_.get_executor(),
        [self = shared_from_this()]() -> awaitable<void> {
          co_await self->ws_.async_close(
              websocket::close_reason(static_cast<websocket::close_code>(*self->close_code_),
                                      self->close_reason_),
              kTuple);
        },
        log::LogFailure{"ws_close"});
  }

  WsStream ws_;
  OutboundQueue queue_;
  bool writing_ = false;
  bool closing_ = false;
  std::optional<int> close_code_;  // a close was asked for (sent once the queue is written)
  std::string close_reason_;
  asio::steady_timer close_timer_;
  std::shared_ptr<void> open_guard_;
  ConnectionRegistry::Place place_;  // released when the session goes away
};

struct Endpoint {
  RoomHub& hub;
  asio::thread_pool& workers;
  Admit admit;
  common::Random& random;
  ConnectionRegistry& registry;
  WsOptions options;
  std::atomic<ConnId> next_conn{1};
};

void accessLog(const Endpoint& ep, const http::Request& req, int status,
               std::chrono::steady_clock::time_point started) {
  if (!ep.options.access_log) return;
  const auto dur =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started);
  log::info("access", {{"request_id", req.request_id},
                       {"remote", req.remote_ip},
                       {"method", req.method},
                       {"path", http::loggablePath(req.path)},
                       {"status", status},
                       {"dur_ms", std::round(dur.count() * 100) / 100}});
}

awaitable<void> refuse(http::Upgrade& up, const Error& error, const Endpoint& ep,
                       std::chrono::steady_clock::time_point started) {
  http::Response res = http::Response::error(error);
  res.headers.set("X-Request-Id", up.request.request_id);
  http::addSecurityHeaders(res);
  bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status),
                                          up.beast_request.version()};
  for (auto& [name, value] : res.headers.all()) out.insert(name, value);
  out.body() = std::move(res.body);
  out.keep_alive(false);
  out.prepare_payload();
  up.stream.expires_after(std::chrono::seconds(10));
  co_await bhttp::async_write(up.stream, out, kTuple);
  boost::system::error_code ignored;
  up.stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  accessLog(ep, up.request, res.status, started);
}

awaitable<void> serveUpgrade(http::Upgrade up, std::shared_ptr<Endpoint> ep) {
  const auto started = std::chrono::steady_clock::now();
  up.request.request_id = common::randomToken(ep->random, 12);
  const auto slug = slugFromPath(up.request.path);
  if (!slug) {
    co_await refuse(up, Error::make(ErrorKind::kNotFound, "not_found", "There is no such socket."),
                    *ep, started);
    co_return;
  }
  // Admitted and holding a place; `actor` was acquired and must get connect() or abandon().
  struct Admitted {
    Result<Admission> admission = Error::internal("not admitted");
    ConnectionRegistry::Place place;
    std::shared_ptr<RoomLink> actor;
  };
  Admitted a = co_await asio::co_spawn(
      ep->workers,
      [&]() -> awaitable<Admitted> {
        Admitted out;
        out.admission = ep->admit(up.request, *slug);
        if (!out.admission) co_return out;
        auto place = ep->registry.reserve({out.admission->principal, up.request.remote_ip,
                                           out.admission->room_id, out.admission->session});
        if (!place) {
          out.admission = place.error();
          co_return out;
        }
        out.place = std::move(place).value();
        auto actor = ep->hub.acquire(out.admission->room_id, out.admission->slug);
        if (!actor) {
          out.admission = actor.error();
          co_return out;
        }
        out.actor = std::move(actor).value();
        co_return out;
      },
      use_awaitable);
  if (!a.admission) {
    if (a.admission.error().kind == ErrorKind::kRateLimited) {
      log::warn("ws_refused", {{"code", a.admission.error().code}, {"remote", up.request.remote_ip}});
    }
    co_await refuse(up, a.admission.error(), *ep, started);
    co_return;
  }

  WsStream ws(std::move(up.stream));
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout{std::chrono::seconds(10), ep->options.idle_timeout,
                                                /*keep_alive_pings=*/true});
  ws.read_message_max(ep->options.max_message_bytes);
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(bhttp::field::server, "kino");
  }));
  auto [ec] = co_await ws.async_accept(up.beast_request, kTuple);
  if (ec) {
    a.actor->abandon();
    co_return;
  }
  accessLog(*ep, up.request, 101, started);

  auto session = std::make_shared<WsSession>(std::move(ws), ep->options, std::move(up.open_guard),
                                             std::move(a.place));
  session->attachPlace();
  const ConnId conn = ep->next_conn++;
  Admission& adm = a.admission.value();
  a.actor->connect(Connect{conn, common::randomToken(ep->random, 9), adm.principal, adm.member,
                           std::move(adm.room), adm.resume_from, adm.is_owner},
                   session);
  co_await session->readLoop(a.actor, conn);
}

}  // namespace

std::function<void(http::Upgrade&&)> makeWebSocketEndpoint(RoomHub& hub,
                                                           boost::asio::thread_pool& workers,
                                                           Admit admit, common::Random& random,
                                                           ConnectionRegistry& registry,
                                                           WsOptions options) {
  // Brace-initialised in place: Endpoint holds an atomic, so it can be neither moved nor built by
  // make_shared's parenthesised aggregate initialisation (clang 14 lacks it).
  std::shared_ptr<Endpoint> ep(new Endpoint{hub, workers, std::move(admit), random, registry, options});
  return [ep](http::Upgrade&& up) {
    auto ex = up.stream.get_executor();
    asio::co_spawn(ex, serveUpgrade(std::move(up), ep), log::LogFailure{"websocket"});
  };
}

}  // namespace kino::realtime
