#pragma once
// Core NATS subscriptions (at most once).

#include <memory>
#include <string>

#include "kino/bus/bus.hpp"
#include "nats_connection.hpp"

namespace kino::bus::nats {

// Subscribes `handler` to `subject` (already validated). Messages are delivered by libnats's
// delivery threads, one at a time and in order for this subscription. Does not block.
Result<std::unique_ptr<Subscription>> subscribeCore(std::shared_ptr<Connection> connection,
                                                    const std::string& subject, Handler handler);

}  // namespace kino::bus::nats
