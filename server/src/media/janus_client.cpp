// The Beast WebSocket client of Janus: the only TU of the media module that includes Beast.
#include "kino/media/janus_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <deque>
#include <map>

#include "kino/common/log.hpp"

namespace kino::media {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using asio::awaitable;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kCallTimeout = std::chrono::seconds(10);
constexpr auto kHealthEvery = std::chrono::seconds(5);

Error unavailable(std::string code, std::string message) {
  return Error::make(ErrorKind::kUnavailable, std::move(code), std::move(message));
}

}  // namespace

struct JanusClient::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, std::string h, std::uint16_t p, std::string secret)
      : strand(asio::make_strand(io)), host(std::move(h)), port(p), api_secret(std::move(secret)),
        health_timer(strand) {}

  struct Pending {
    Callback done;
    std::shared_ptr<asio::steady_timer> timer;
    bool wait_for_event = false;  // plugin messages: an "ack" is not the answer
  };

  asio::strand<asio::io_context::executor_type> strand;
  std::string host;
  std::uint16_t port;
  std::string api_secret;
  std::unique_ptr<websocket::stream<beast::tcp_stream>> ws;
  std::deque<std::string> outbox;
  bool writing = false;
  bool stopping = false;
  std::atomic<bool> open{false};
  std::atomic<bool> answered{false};
  std::uint64_t next_txn = 1;
  std::map<std::string, Pending> pending;
  EventHandler on_event;
  std::function<void(bool)> on_connection;
  asio::steady_timer health_timer;

  awaitable<void> run() {
    auto self = shared_from_this();
    auto backoff = std::chrono::milliseconds(500);
    while (!stopping) {
      auto stream = std::make_unique<websocket::stream<beast::tcp_stream>>(strand);
      tcp::endpoint ep(asio::ip::make_address(host), port);
      beast::get_lowest_layer(*stream).expires_after(std::chrono::seconds(5));
      auto [cec] = co_await beast::get_lowest_layer(*stream).async_connect(ep, kTuple);
      if (!cec) {
        beast::get_lowest_layer(*stream).expires_never();
        stream->set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
        stream->set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
          req.set(beast::http::field::sec_websocket_protocol, "janus-protocol");
        }));
        stream->read_message_max(8 * 1024 * 1024);
        auto [hec] = co_await stream->async_handshake(host + ":" + std::to_string(port), "/", kTuple);
        if (!hec) {
          ws = std::move(stream);
          open = true;
          backoff = std::chrono::milliseconds(500);
          log::info("janus_connected", {{"port", port}});
          probeHealth();
          if (on_connection) on_connection(true);
          co_await readLoop();
          open = false;
          answered = false;
          ws.reset();
          failAll("janus_disconnected", "The connection to the media server was lost.");
          if (on_connection) on_connection(false);
          if (!stopping) log::warn("janus_disconnected", {{"port", port}});
        }
      }
      if (stopping) break;
      asio::steady_timer wait(strand);
      wait.expires_after(backoff);
      co_await wait.async_wait(kTuple);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
    }
  }

  awaitable<void> readLoop() {
    for (;;) {
      beast::flat_buffer buffer;
      auto [ec, n] = co_await ws->async_read(buffer, kTuple);
      if (ec) co_return;
      auto msg = parseJanusMessage(beast::buffers_to_string(buffer.data()));
      if (!msg) {
        log::warn("janus_bad_message", {{"message", msg.error().message}});
        continue;
      }
      dispatch(std::move(msg).value());
    }
  }

  void dispatch(JanusMessage m) {
    if (!m.transaction.empty()) {
      auto it = pending.find(m.transaction);
      if (it != pending.end()) {
        if (m.kind == JanusKind::kAck && it->second.wait_for_event) return;  // the event follows
        Pending p = std::move(it->second);
        pending.erase(it);
        p.timer->cancel();
        if (m.kind == JanusKind::kError) {
          p.done(Error::make(ErrorKind::kUnavailable, "janus_error",
                             std::to_string(m.error_code) + " " + m.error_reason));
        } else {
          p.done(std::move(m));
        }
        return;
      }
    }
    if (on_event) on_event(m);
  }

  void failAll(const std::string& code, const std::string& message) {
    auto all = std::move(pending);
    pending.clear();
    for (auto& [txn, p] : all) {
      p.timer->cancel();
      p.done(unavailable(code, message));
    }
  }

  void send(boost::json::object request, Callback done) {
    if (!ws || !open) {
      done(unavailable("janus_disconnected", "The media server is not reachable right now."));
      return;
    }
    const std::string txn = "k" + std::to_string(next_txn++);
    request["transaction"] = txn;
    if (!api_secret.empty()) request["apisecret"] = api_secret;
    auto timer = std::make_shared<asio::steady_timer>(strand);
    timer->expires_after(kCallTimeout);
    timer->async_wait([self = shared_from_this(), txn](boost::system::error_code ec) {
      if (ec) return;
      auto it = self->pending.find(txn);
      if (it == self->pending.end()) return;
      auto p = std::move(it->second);
      self->pending.erase(it);
      p.done(unavailable("janus_timeout", "The media server did not answer in time."));
    });
    const auto* verb = request.if_contains("janus");
    const bool plugin_message = verb && verb->is_string() && verb->as_string() == "message";
    pending.emplace(txn, Pending{std::move(done), timer, plugin_message});
    outbox.push_back(boost::json::serialize(request));
    if (!writing) {
      writing = true;
      asio::co_spawn(strand, writeLoop(shared_from_this()), log::LogFailure{"janus_write"});
    }
  }

  static awaitable<void> writeLoop(std::shared_ptr<Impl> self) {
    while (!self->outbox.empty() && self->ws) {
      self->ws->text(true);
      auto [ec, n] = co_await self->ws->async_write(asio::buffer(self->outbox.front()), kTuple);
      if (ec) break;
      self->outbox.pop_front();
    }
    self->outbox.clear();
    self->writing = false;
  }

  void probeHealth() {
    send({{"janus", "info"}}, [self = shared_from_this()](Result<JanusMessage> r) {
      self->answered = r.ok() && r->kind == JanusKind::kServerInfo;
    });
    health_timer.expires_after(kHealthEvery);
    health_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec && self->open) self->probeHealth();
    });
  }
};

JanusClient::JanusClient(asio::io_context& io, std::string host, std::uint16_t port,
                         std::string api_secret)
    : impl_(std::make_shared<Impl>(io, std::move(host), port, std::move(api_secret))) {}

JanusClient::~JanusClient() {
  try {
    stop();
  } catch (...) {  // only allocation can fail here; the strand's work ends with the io_context
  }
}

void JanusClient::start() {
  asio::co_spawn(impl_->strand, impl_->run(), log::LogFailure{"janus_client"});
}

void JanusClient::stop() {
  asio::post(impl_->strand, [impl = impl_] {
    impl->stopping = true;
    impl->health_timer.cancel();
    if (impl->ws) beast::get_lowest_layer(*impl->ws).close();
  });
}

void JanusClient::call(boost::json::object request, Callback done) {
  asio::post(impl_->strand, [impl = impl_, request = std::move(request),
                             done = std::move(done)]() mutable {
    impl->send(std::move(request), std::move(done));
  });
}

void JanusClient::onEvent(EventHandler handler) {
  asio::post(impl_->strand, [impl = impl_, handler = std::move(handler)]() mutable {
    impl->on_event = std::move(handler);
  });
}

void JanusClient::onConnectionChange(std::function<void(bool up)> handler) {
  asio::post(impl_->strand, [impl = impl_, handler = std::move(handler)]() mutable {
    impl->on_connection = std::move(handler);
  });
}

bool JanusClient::healthy() const { return impl_->open && impl_->answered; }

}  // namespace kino::media
