#pragma once
// Sliding-window rate limiter keyed by string (an IP, an account, a room), in this process's memory.
// Thread-safe; memory is bounded: at most `max_events` timestamps per key and at most `max_keys`
// keys (oldest evicted).

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "kino/common/clock.hpp"
#include "kino/common/mutex.hpp"
#include "kino/common/rate_window.hpp"

namespace kino::common {

class RateLimiter final : public RateWindow {
 public:
  RateLimiter(const Clock& clock, std::size_t max_events, std::chrono::seconds window,
              std::size_t max_keys = 100000);

  Decision check(const std::string& key) override;
  void record(const std::string& key) override;
  Decision consume(const std::string& key) override;
  void reset(const std::string& key) override;

 private:
  Decision checkLocked(std::deque<TimePoint>& events, TimePoint now);
  void evictIfFullLocked() KINO_REQUIRES(mu_);

  const Clock& clock_;
  const std::size_t max_events_;
  const std::chrono::seconds window_;
  const std::size_t max_keys_;
  Mutex mu_;
  std::unordered_map<std::string, std::deque<TimePoint>> events_ KINO_GUARDED_BY(mu_);
};

}  // namespace kino::common
