#pragma once
// Journals over JetStream (see Bus::claimJournal): each journal is one subject of the durable
// stream. A claim publishes an empty marker and reads the subject up to it with an ordered
// consumer; an append publishes with "expected last subject sequence" = the owner's last position
// (and a message id, so a retry of a stored append is a duplicate, not a conflict); a trim purges
// the subject below a position. Positions are stream sequences. Blocking.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "kino/bus/bus.hpp"
#include "nats_connection.hpp"

namespace kino::bus::nats {

Result<Bus::JournalClaim> claimJournal(Connection& connection, const std::string& subject,
                                       std::chrono::milliseconds wait,
                                       const std::string& marker_id);
Result<std::uint64_t> appendJournal(Connection& connection, const std::string& subject,
                                    std::uint64_t after, std::string_view data,
                                    std::chrono::milliseconds wait, const std::string& message_id);
Result<void> trimJournal(Connection& connection, const std::string& subject,
                         std::uint64_t position, std::chrono::milliseconds wait);

}  // namespace kino::bus::nats
