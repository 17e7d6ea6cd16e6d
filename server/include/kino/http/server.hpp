#pragma once
// The HTTP/1.1 listener (Beast + Asio coroutines). Each connection runs as one coroutine on its own
// strand; every request is handed to the Pipeline on the worker pool, so blocking handlers never stall
// I/O threads. Graceful shutdown on SIGINT/SIGTERM: stop accepting, let in-flight requests finish
// (up to the grace period), close idle connections, then return from run().

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "kino/common/result.hpp"
#include "kino/http/pipeline.hpp"

namespace boost::asio {
class io_context;
class thread_pool;
}  // namespace boost::asio

namespace kino::http {

struct Upgrade;

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 picks a free port
  int io_threads = 1;
  int worker_threads = 2;
  std::uint64_t max_body_bytes = 1024 * 1024;
  std::chrono::seconds shutdown_grace{10};
  bool access_log = true;
};

class Server {
 public:
  Server(ServerOptions options, const Pipeline& pipeline);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens, and from then on catches SIGINT/SIGTERM (handled once run() runs). Returns the
  // URL actually bound, e.g. "http://127.0.0.1:43125".
  Result<std::string> listen();
  // Serves until SIGINT/SIGTERM or stop(); then drains and returns. Call after listen().
  void run();
  // Starts the graceful shutdown. Thread-safe.
  void stop();

  // WebSocket upgrades go to `handler` (without one they get 404). Set before run().
  void setUpgradeHandler(std::function<void(Upgrade&&)> handler);
  // Runs when the graceful shutdown starts (e.g. to close WebSockets with "going away").
  void onShutdown(std::function<void()> hook);
  // The I/O context and the worker pool, for adapters that share them (the realtime hub).
  boost::asio::io_context& io();
  boost::asio::thread_pool& workers();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kino::http
