#pragma once
// The JetStream stream that holds the durable messages.

#include <chrono>

#include "kino/common/result.hpp"
#include "nats_connection.hpp"

namespace kino::bus::nats {

// Creates the stream kStream (subjects "durable.>", file storage, limits retention, max age from
// the options; replicas from the options, else min(3, servers the client knows of: the URLs and
// those the cluster announced)), or brings an existing one to that configuration while keeping its
// replicas (another node made it, or it was scaled by hand); safe when several nodes do it at once.
// Retries (JetStream may still be electing its leaders) until `deadline`, then kUnavailable.
// Blocks.
Result<void> ensureStream(Connection& connection, std::chrono::steady_clock::time_point deadline);

}  // namespace kino::bus::nats
