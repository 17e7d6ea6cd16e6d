#pragma once
// The connection the parts of the NATS adapter share: one natsConnection with its JetStream
// context. Owned through shared_ptr by the bus and by every subscription, so whichever goes last
// frees it; close() (the bus's destructor) stops all traffic at once.

#include <nats/nats.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "kino/bus/nats_bus.hpp"
#include "kino/common/result.hpp"

namespace kino::bus::nats {

inline constexpr const char* kStream = "KINO_DURABLE";

class Connection {
 public:
  // Connects to any server of `options.urls`, trying again until `options.connect_timeout`; once
  // connected, reconnects forever by itself. kUnavailable naming the URLs when none answered.
  static Result<std::shared_ptr<Connection>> open(const NatsBusOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  natsConnection* nc() const { return nc_; }
  jsCtx* js() const { return js_; }
  const NatsBusOptions& options() const { return options_; }
  // Whether a server is connected right now (not reconnecting, not closed).
  bool connected() const;
  // How many times libnats re-established the connection (its statistics; 0 when unreadable).
  std::uint64_t reconnects() const;
  // Ends the connection: publishing fails, subscriptions receive nothing more. Idempotent.
  void close();

 private:
  explicit Connection(NatsBusOptions options) : options_(std::move(options)) {}
  NatsBusOptions options_;
  natsOptions* opts_ = nullptr;
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
};

// libnats's description of `s`, with the thread's last error text when it adds something.
std::string describe(natsStatus s);

// Options for one JetStream request that waits at most `wait` (at least 1 ms).
jsOptions requestOptions(std::chrono::milliseconds wait);

}  // namespace kino::bus::nats
