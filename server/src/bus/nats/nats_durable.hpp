#pragma once
// The durable half over JetStream: publishing into the stream and durable pull consumers.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "kino/bus/bus.hpp"
#include "nats_connection.hpp"

namespace kino::bus::nats {

// Stores `data` under `subject` (already validated) in the stream, trying again until `wait` has
// passed (then kUnavailable), and returns its stream sequence. `message_id` must be unique to this
// message: the stream drops a retry whose first attempt was stored after all. `expect_last` > 0:
// only if the subject's last sequence is that, else kConflict "journal_fenced". Blocks.
Result<std::uint64_t> publishToStream(Connection& connection, const std::string& subject,
                                      std::string_view data, std::chrono::milliseconds wait,
                                      const std::string& message_id,
                                      std::uint64_t expect_last = 0);

// Binds `handler` to the durable consumer of (`consumer`, `subject`), creating it (deliver new)
// when missing. A worker thread of its own pulls one message at a time, runs the handler and acks
// once it returned. Blocks while it finds or creates the consumer (up to subscribe_timeout).
Result<std::unique_ptr<Subscription>> subscribeToStream(std::shared_ptr<Connection> connection,
                                                        const std::string& subject,
                                                        const std::string& consumer,
                                                        Handler handler);

// The JetStream consumer's name for the cursor (`consumer`, `subject`): "<consumer>_<hash>".
std::string consumerName(std::string_view consumer, std::string_view subject);

}  // namespace kino::bus::nats
