#pragma once
// A sliding-window rate limit keyed by string (an IP, an account, a room): at most `max_events`
// events per key in any `window`. Implementations: common::RateLimiter (this process only) and
// storage::StoreRateWindow (shared by every node on one store).

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "kino/common/clock.hpp"

namespace kino::common {

class RateWindow {
 public:
  struct Decision {
    bool allowed = true;
    std::chrono::seconds retry_after{0};  // when !allowed: seconds until one more event fits (>= 1)
  };

  virtual ~RateWindow() = default;
  // Whether one more event for `key` fits in the window now; records nothing.
  virtual Decision check(const std::string& key) = 0;
  // Records one event for `key`.
  virtual void record(const std::string& key) = 0;
  // check() and, when allowed, record() in one step.
  virtual Decision consume(const std::string& key) = 0;
  // Forgets `key` (e.g. after a successful login).
  virtual void reset(const std::string& key) = 0;
};

// Makes the limiter of one named limit ("login_ip"); the name keeps limits that share a store
// apart. Called while a service is constructed.
using RateWindowFactory = std::function<std::unique_ptr<RateWindow>(
    std::string_view name, std::size_t max_events, std::chrono::seconds window)>;

// Limiters kept in this process's memory (RateLimiter): what a single node uses.
RateWindowFactory inMemoryRateWindows(const Clock& clock);

}  // namespace kino::common
