#pragma once
// A rate limit counted in the store (RateEventRepository), so every Kino node on one database
// shares it: behind a balancer over N nodes a client still gets `max_events` per window, not N
// times as many. Thread-safe; each call blocks on the store (call it from the worker pool).

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "kino/common/clock.hpp"
#include "kino/common/rate_window.hpp"
#include "kino/storage/store.hpp"

namespace kino::storage {

// Store failures: the event is allowed (and not counted), and a warning is logged. What a limit
// guards (a login, a room key, creating a room) needs the store too, so a store that cannot count
// cannot serve the guarded operation either; refusing would only turn an outage into 429s.
class StoreRateWindow final : public common::RateWindow {
 public:
  // Keys are stored as "<name>:<key>" (a key over 200 bytes as "<name>:#<its SHA-256>").
  StoreRateWindow(RateEventRepository& events, const common::Clock& clock, std::string name,
                  std::size_t max_events, std::chrono::seconds window);

  Decision check(const std::string& key) override;
  // Records nothing when the window is full already (the key is limited anyway): a key never holds
  // more than `max_events` events.
  void record(const std::string& key) override;
  Decision consume(const std::string& key) override;
  void reset(const std::string& key) override;

 private:
  std::string storedKey(std::string_view key) const;
  Decision count(const std::string& key, bool record);

  RateEventRepository& events_;
  const common::Clock& clock_;
  const std::string name_;
  const std::int64_t max_events_;
  const std::chrono::seconds window_;
};

// Limiters counted in `store`: what the nodes of a cluster use.
common::RateWindowFactory storeRateWindows(Store& store, const common::Clock& clock);

}  // namespace kino::storage
