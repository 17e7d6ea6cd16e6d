// The Beast adapter: the only TU of the http module that includes Asio/Beast (slow to compile).
#include "kino/http/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <atomic>
#include <list>
#include <mutex>
#include <thread>
#include <vector>

#include "kino/common/log.hpp"
#include "kino/http/upgrade.hpp"
#include "kino/common/mutex.hpp"

namespace kino::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
constexpr auto kTuple = asio::as_tuple(use_awaitable);

constexpr auto kIdleTimeout = std::chrono::seconds(60);
constexpr auto kWriteTimeout = std::chrono::seconds(60);
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr std::size_t kLingerMaxBytes = 64 * 1024 * 1024;
constexpr std::uint32_t kHeaderLimit = 32 * 1024;
constexpr std::size_t kStreamChunk = 256 * 1024;  // what one streamed response holds in memory

struct Connection {
  explicit Connection(tcp::socket s) : stream(std::move(s)), executor(stream.get_executor()) {}
  beast::tcp_stream stream;  // moved out when the connection is upgraded to a WebSocket
  asio::any_io_executor executor;  // the connection's strand; stays valid after an upgrade
  bool busy = false;  // a request is being handled or answered; touched only on the strand
};

using BeastRequest = bhttp::request<bhttp::string_body>;
using BeastResponse = bhttp::response<bhttp::string_body>;

Request toRequest(const BeastRequest& in, const std::string& remote_ip) {
  Request r;
  r.method = std::string(in.method_string());
  r.target = std::string(in.target());
  const auto q = r.target.find('?');
  r.path = r.target.substr(0, q);
  if (q != std::string::npos) r.query = r.target.substr(q + 1);
  for (const auto& f : in) r.headers.add(std::string(f.name_string()), std::string(f.value()));
  r.body = in.body();
  r.remote_ip = remote_ip;
  return r;
}

BeastResponse toBeast(Response&& res, unsigned version, bool keep_alive, bool head) {
  BeastResponse out{static_cast<bhttp::status>(res.status), version};
  for (auto& [name, value] : res.headers.all()) out.insert(name, value);
  const auto size = res.body.size();
  out.keep_alive(keep_alive);
  if (head) {
    out.content_length(size);
  } else {
    out.body() = std::move(res.body);
    out.prepare_payload();
  }
  return out;
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions o, const Pipeline& p)
      : opts(std::move(o)), pipeline(p),
        workers(static_cast<std::size_t>(std::max(1, opts.worker_threads))) {}

  ServerOptions opts;
  const Pipeline& pipeline;
  asio::io_context io;
  asio::thread_pool workers;
  tcp::acceptor acceptor{io};
  asio::signal_set signals{io};
  // The drain timer waits for the grace period and is cancelled when the last connection closes;
  // it is touched only on drain_strand.
  asio::strand<asio::io_context::executor_type> drain_strand{io.get_executor()};
  asio::steady_timer drain_timer{drain_strand};
  std::atomic<bool> stopping{false};
  std::atomic<int> open_connections{0};
  common::Mutex mu;
  std::list<std::weak_ptr<Connection>> connections KINO_GUARDED_BY(mu);
  std::function<void(Upgrade&&)> upgrade_handler;
  std::vector<std::function<void()>> shutdown_hooks;

  awaitable<void> acceptLoop();
  awaitable<void> serve(std::shared_ptr<Connection> c, std::string remote_ip);
  awaitable<void> refuseAndLinger(Connection& c, Request req, const Error& error, unsigned version);
  awaitable<bool> writeStreamed(Connection& c, const Request& req, Response res, unsigned version,
                                bool keep_alive, std::chrono::steady_clock::time_point started);
  void beginShutdown();
  void drain();
  // Called once for every connection (and WebSocket) that ends.
  void connectionClosed();
  void accessLog(const Request& req, int status, std::uint64_t bytes,
                 std::chrono::steady_clock::time_point started) const;
};

awaitable<void> Server::Impl::acceptLoop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(io), kTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      log::warn("accept_failed", {{"error", ec.message()}});
      continue;
    }
    boost::system::error_code ep_ec;
    socket.set_option(tcp::no_delay(true), ep_ec);  // small frames (sync, chat) must not wait for Nagle
    const auto remote = socket.remote_endpoint(ep_ec);
    std::string ip = ep_ec ? std::string("unknown") : remote.address().to_string();
    auto c = std::make_shared<Connection>(std::move(socket));
    std::list<std::weak_ptr<Connection>>::iterator slot;
    {
      common::MutexLock lock(mu);
      slot = connections.insert(connections.end(), c);
    }
    ++open_connections;
    auto ex = c->stream.get_executor();
    asio::co_spawn(ex, serve(c, std::move(ip)), [this, slot](const std::exception_ptr& e) {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& failure) {
          log::error("connection_failed", {{"what", failure.what()}});
        }
      }
      {
        common::MutexLock lock(mu);
        connections.erase(slot);
      }
      connectionClosed();
    });
  }
}

awaitable<void> Server::Impl::serve(std::shared_ptr<Connection> c, std::string remote_ip) {
  beast::flat_buffer buffer;
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(opts.max_body_bytes);
    parser.header_limit(kHeaderLimit);
    c->stream.expires_after(kIdleTimeout);
    auto [ec, n] = co_await bhttp::async_read(c->stream, buffer, parser, kTuple);
    if (ec == bhttp::error::body_limit) {
      Request req = toRequest(parser.get(), remote_ip);
      co_await refuseAndLinger(*c, std::move(req),
                               Error::make(ErrorKind::kTooLarge, "payload_too_large",
                                           "The request body is larger than " +
                                               std::to_string(opts.max_body_bytes) + " bytes."),
                               parser.get().version());
      co_return;
    }
    if (ec) {
      if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
          ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
        Request req;
        req.remote_ip = remote_ip;
        co_await refuseAndLinger(*c, std::move(req),
                                 Error::make(ErrorKind::kMalformed, "malformed_request",
                                             "The HTTP request could not be parsed."),
                                 11);
      }
      break;  // closed, timed out or reset: nothing to answer
    }
    c->busy = true;
    if (beast::websocket::is_upgrade(parser.get()) && upgrade_handler && !stopping) {
      ++open_connections;
      Upgrade up{std::move(c->stream), parser.release(), {}, {}};
      up.request = toRequest(up.beast_request, remote_ip);
      up.open_guard = std::shared_ptr<void>(nullptr, [this](void*) { connectionClosed(); });
      upgrade_handler(std::move(up));
      co_return;  // the WebSocket owns the socket now; `c->busy` keeps shutdown's hands off it
    }
    const auto started = std::chrono::steady_clock::now();
    const BeastRequest& in = parser.get();
    Request req = toRequest(in, remote_ip);
    Response res = co_await asio::co_spawn(
        workers, [this, &req]() -> awaitable<Response> { co_return pipeline.handle(req); },
        use_awaitable);
    const bool keep_alive = in.keep_alive() && !stopping;
    if (res.source) {
      const bool sent =
          co_await writeStreamed(*c, req, std::move(res), in.version(), keep_alive, started);
      c->busy = false;
      if (!sent || !keep_alive) break;
      continue;
    }
    BeastResponse out = toBeast(std::move(res), in.version(), keep_alive, req.method == "HEAD");
    const std::size_t bytes = out.body().size();
    c->stream.expires_after(kWriteTimeout);
    auto [wec, written] = co_await bhttp::async_write(c->stream, out, kTuple);
    c->busy = false;
    accessLog(req, static_cast<int>(out.result_int()), bytes, started);
    if (wec || !keep_alive) break;
  }
  boost::system::error_code ignored;
  c->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

// Answers a request that cannot be served, then reads and drops what the client still sends for a
// short while before closing, so the client sees the answer rather than a connection reset.
awaitable<void> Server::Impl::refuseAndLinger(Connection& c, Request req, const Error& error,
                                              unsigned version) {
  const auto started = std::chrono::steady_clock::now();
  BeastResponse out = toBeast(pipeline.refuse(req, error), version, false, false);
  const std::size_t bytes = out.body().size();
  c.stream.expires_after(kWriteTimeout);
  auto [wec, written] = co_await bhttp::async_write(c.stream, out, kTuple);
  accessLog(req, static_cast<int>(out.result_int()), bytes, started);
  if (wec) co_return;
  boost::system::error_code ignored;
  c.stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  c.stream.expires_after(kLingerTimeout);
  std::array<char, 16 * 1024> sink;
  std::size_t total = 0;
  while (total < kLingerMaxBytes) {
    auto [rec, got] = co_await c.stream.async_read_some(asio::buffer(sink), kTuple);
    if (rec) break;
    total += got;
  }
}

// Sends `res`, whose body comes from res.source one chunk at a time: the next chunk is read (on the
// worker pool) only once the previous one is in the socket, so a slow reader holds one chunk, and a
// reader that takes no bytes for kWriteTimeout is dropped. Returns whether the whole response went
// out; false leaves the connection unusable (the caller closes it).
awaitable<bool> Server::Impl::writeStreamed(Connection& c, const Request& req, Response res,
                                            unsigned version, bool keep_alive,
                                            std::chrono::steady_clock::time_point started) {
  struct Chunk {
    std::string bytes;
    std::string error;  // empty when the read succeeded
  };
  const std::shared_ptr<BodySource> source = std::move(res.source);
  const std::uint64_t size = source->size();
  bhttp::response<bhttp::empty_body> out{static_cast<bhttp::status>(res.status), version};
  for (auto& [name, value] : res.headers.all()) out.insert(name, value);
  out.keep_alive(keep_alive);
  out.content_length(size);
  bhttp::response_serializer<bhttp::empty_body> head{out};
  c.stream.expires_after(kWriteTimeout);
  auto [hec, header_bytes] = co_await bhttp::async_write_header(c.stream, head, kTuple);
  bool ok = !hec;
  std::uint64_t sent = 0;
  while (ok && req.method != "HEAD" && sent < size) {
    Chunk chunk = co_await asio::co_spawn(
        workers,
        [&source]() -> awaitable<Chunk> {
          auto next = source->next(kStreamChunk);
          if (!next) co_return Chunk{{}, next.error().message};
          co_return Chunk{std::move(next).value(), {}};
        },
        use_awaitable);
    if (!chunk.error.empty() || chunk.bytes.empty() || chunk.bytes.size() > size - sent) {
      log::warn("stream_aborted", {{"request_id", req.request_id},
                                   {"path", loggablePath(req.path)},
                                   {"sent", sent},
                                   {"size", size},
                                   {"error", chunk.error.empty() ? "short body" : chunk.error}});
      ok = false;
      break;
    }
    c.stream.expires_after(kWriteTimeout);
    auto [wec, written] = co_await asio::async_write(c.stream, asio::buffer(chunk.bytes), kTuple);
    sent += written;
    ok = !wec;
  }
  accessLog(req, res.status, sent, started);
  co_return ok;
}

void Server::Impl::accessLog(const Request& req, int status, std::uint64_t bytes,
                             std::chrono::steady_clock::time_point started) const {
  if (!opts.access_log) return;
  const auto dur = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                             started);
  boost::json::object f{{"request_id", req.request_id},
                        {"remote", req.remote_ip},
                        {"method", req.method},
                        {"path", loggablePath(req.path)},
                        {"status", status},
                        {"bytes", bytes},
                        {"dur_ms", std::round(dur.count() * 100) / 100}};
  if (auto ua = req.headers.get("User-Agent")) f["ua"] = std::string(ua->substr(0, 200));
  log::info("access", std::move(f));
}

void Server::Impl::beginShutdown() {
  if (stopping.exchange(true)) return;
  log::info("shutdown_started", {{"open_connections", open_connections.load()}});
  boost::system::error_code ignored;
  acceptor.close(ignored);
  signals.cancel(ignored);
  for (auto& hook : shutdown_hooks) hook();
  {
    common::MutexLock lock(mu);
    for (auto& weak : connections) {
      if (auto c = weak.lock()) {
        asio::post(c->executor, [c] {
          if (!c->busy) c->stream.socket().close();  // idle keep-alive: nothing in flight
        });
      }
    }
  }
  asio::post(drain_strand, [this] { drain(); });
}

// On drain_strand: waits until the last connection closes (connectionClosed cancels the timer) or
// the grace period ends, then stops the io_context. Connections still open then are forced.
void Server::Impl::drain() {
  drain_timer.expires_after(opts.shutdown_grace);
  drain_timer.async_wait([this](boost::system::error_code) {
    if (open_connections > 0) {
      log::warn("shutdown_forced", {{"open_connections", open_connections.load()}});
    }
    io.stop();
  });
  // A connection that closed before the wait began posted its cancel too early to count.
  if (open_connections == 0) drain_timer.cancel();
}

void Server::Impl::connectionClosed() {
  if (--open_connections == 0 && stopping) {
    asio::post(drain_strand, [this] { drain_timer.cancel(); });
  }
}

Server::Server(ServerOptions options, const Pipeline& pipeline)
    : impl_(std::make_unique<Impl>(std::move(options), pipeline)) {}

Server::~Server() = default;

Result<std::string> Server::listen() {
  Impl& s = *impl_;
  boost::system::error_code ec;
  tcp::endpoint ep;
  auto addr = asio::ip::make_address(s.opts.host, ec);
  if (ec) {
    tcp::resolver resolver(s.io);
    auto results = resolver.resolve(s.opts.host, std::to_string(s.opts.port), ec);
    if (ec || results.empty()) {
      return Error::make(ErrorKind::kInvalid, "bad_listen_address",
                         "cannot resolve listen host '" + s.opts.host + "'");
    }
    ep = *results.begin();
  } else {
    ep = tcp::endpoint(addr, s.opts.port);
  }
  auto fail = [&](const char* what) {
    return Error::make(ErrorKind::kUnavailable, "listen_failed",
                       std::string(what) + " " + ep.address().to_string() + ":" +
                           std::to_string(ep.port()) + ": " + ec.message());
  };
  s.acceptor.open(ep.protocol(), ec);
  if (ec) return fail("open");
  s.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  s.acceptor.bind(ep, ec);
  if (ec) return fail("bind");
  s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");
  const auto bound = s.acceptor.local_endpoint(ec);
  const std::string host = bound.address().is_v6() ? "[" + bound.address().to_string() + "]"
                                                   : bound.address().to_string();
  asio::co_spawn(s.io, s.acceptLoop(), log::LogFailure{"accept_loop"});
  // Signals are caught from here on, so a SIGTERM right after the caller logs the URL is graceful.
  s.signals.add(SIGINT);
  s.signals.add(SIGTERM);
  s.signals.async_wait([&s](boost::system::error_code sig_ec, int signal) {
    if (sig_ec) return;
    log::info("signal", {{"signal", signal}});
    s.beginShutdown();
  });
  return "http://" + host + ":" + std::to_string(bound.port());
}

void Server::run() {
  Impl& s = *impl_;
  std::vector<std::thread> threads;
  for (int i = 1; i < s.opts.io_threads; ++i) threads.emplace_back([&s] { s.io.run(); });
  s.io.run();
  for (auto& t : threads) t.join();
  s.workers.join();
  log::info("shutdown_complete");
}

void Server::setUpgradeHandler(std::function<void(Upgrade&&)> handler) {
  impl_->upgrade_handler = std::move(handler);
}

void Server::onShutdown(std::function<void()> hook) {
  impl_->shutdown_hooks.push_back(std::move(hook));
}

asio::io_context& Server::io() { return impl_->io; }

asio::thread_pool& Server::workers() { return impl_->workers; }

void Server::stop() {
  asio::post(impl_->io, [impl = impl_.get()] { impl->beginShutdown(); });
}

}  // namespace kino::http
