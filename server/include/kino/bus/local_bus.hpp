#pragma once
// The in-process Bus for a single node (`bus.engine = "local"`): subscribers of this process only.
// One delivery thread runs every handler, in publish order. Durable messages are kept in memory
// only (one process: nothing else could lose them): the last 10000, for at most an hour, so that a
// durable subscriber that comes back under the same consumer name gets what it missed. No call
// blocks (destroying a Subscription waits only for its running handler).

#include <memory>

#include "kino/bus/bus.hpp"

namespace kino::bus {

std::unique_ptr<Bus> makeLocalBus();

}  // namespace kino::bus
