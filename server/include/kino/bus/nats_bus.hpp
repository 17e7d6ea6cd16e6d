#pragma once
// The Bus over a NATS cluster (`bus.engine = "nats"`, libnats): core NATS for publish/subscribe,
// JetStream for the durable half. Only the app and the tests link it (target kino_bus_nats).
//
// Durable messages live in the JetStream stream "KINO_DURABLE" (subjects "durable.>", file storage,
// each message kept for `max_age`; replicas = min(3, servers of the cluster) when the stream is
// created). openNatsBus creates the stream or brings it to this configuration, keeping the
// replicas it has (several nodes may do so at once). Each
// subscribeDurable(subject, consumer) binds a durable pull consumer named after `consumer` and
// `subject` (deliver policy "new" when first created, explicit acks, one message unacknowledged at
// a time so that order holds across redeliveries); a consumer nobody pulls from for
// `consumer_idle_expiry` is removed by the server.
//
// Blocking (never call these on an Asio I/O thread; use the worker pool):
// - openNatsBus: connects and sets up the stream, up to `connect_timeout`.
// - publishDurable: until the stream acknowledged the message, up to its `wait`.
// - subscribeDurable: creates or finds the consumer, up to `subscribe_timeout`.
// - destroying a durable Subscription: until its handler returned and its last ack was answered
//   (at most `request_timeout`).
// Not blocking: publish (buffered by libnats, also while reconnecting, up to 8 MiB), subscribe,
// destroying a plain Subscription (unless its handler is running: then until it returns), healthy.
//
// Handlers: plain subscriptions are spread over libnats's pool of `delivery_threads` (each
// subscription stays on one thread; a handler that blocks delays the others on it); each durable
// subscription has a worker thread of its own. Handlers of different subscriptions may run at the
// same time, so a handler must not destroy another subscription whose handler may be destroying
// this one (each would wait for the other).

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kino/bus/bus.hpp"
#include "kino/common/result.hpp"

namespace kino::bus {

struct NatsBusOptions {
  std::vector<std::string> urls;  // "nats://host:port", every server of the cluster
  std::string node_name;          // names the connection ("kino-<node_name>") on the servers
  std::chrono::milliseconds connect_timeout{10000};    // openNatsBus: connect and stream set-up
  std::chrono::milliseconds request_timeout{2000};     // one JetStream request (ack, API call)
  std::chrono::milliseconds subscribe_timeout{15000};  // subscribeDurable: finding the consumer
  std::chrono::milliseconds reconnect_wait{100};       // between rounds over every URL, forever
  std::chrono::milliseconds ping_interval{5000};       // a silent server is dropped after 2 pings
  std::chrono::seconds max_age{3600};                  // durable messages are kept this long
  std::chrono::seconds consumer_idle_expiry{3600};
  int replicas = 0;          // of a new stream; 0: min(3, servers the client knows of)
  int delivery_threads = 4;  // libnats's pool for plain subscriptions (process-wide, only grows)
};

// Connects to the servers of `options.urls` and makes sure the durable stream exists.
// kInvalid for bad options; kUnavailable (naming the URLs) when no server answered or JetStream
// could not be set up within `connect_timeout`.
Result<std::unique_ptr<Bus>> openNatsBus(const NatsBusOptions& options);

// Splits `bus.nats_urls` ("nats://a:4222, b:4222") into URLs of the form nats://host:port
// (a missing scheme means nats://). kInvalid, naming the entry, for anything else.
Result<std::vector<std::string>> parseNatsUrls(std::string_view comma_separated);

}  // namespace kino::bus
