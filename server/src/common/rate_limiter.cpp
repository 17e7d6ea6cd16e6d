#include "kino/common/rate_limiter.hpp"

#include <algorithm>
#include <memory>

namespace kino::common {

RateLimiter::RateLimiter(const Clock& clock, std::size_t max_events, std::chrono::seconds window,
                         std::size_t max_keys)
    : clock_(clock), max_events_(std::max<std::size_t>(max_events, 1)), window_(window),
      max_keys_(std::max<std::size_t>(max_keys, 1)) {}

RateLimiter::Decision RateLimiter::checkLocked(std::deque<TimePoint>& events, TimePoint now) {
  while (!events.empty() && events.front() + window_ <= now) events.pop_front();
  if (events.size() < max_events_) return {};
  const auto wait = events.front() + window_ - now;
  auto secs = std::chrono::ceil<std::chrono::seconds>(wait);
  return {false, std::max(secs, std::chrono::seconds(1))};
}

RateLimiter::Decision RateLimiter::check(const std::string& key) {
  MutexLock lock(mu_);
  auto it = events_.find(key);
  if (it == events_.end()) return {};
  return checkLocked(it->second, clock_.now());
}

void RateLimiter::evictIfFullLocked() {
  if (events_.size() < max_keys_) return;
  // Drop the key whose newest event is the oldest: it is the least likely to matter.
  auto victim = events_.begin();
  for (auto it = events_.begin(); it != events_.end(); ++it) {
    if (it->second.empty()) {
      victim = it;
      break;
    }
    if (!victim->second.empty() && it->second.back() < victim->second.back()) victim = it;
  }
  events_.erase(victim);
}

void RateLimiter::record(const std::string& key) {
  MutexLock lock(mu_);
  auto it = events_.find(key);
  if (it == events_.end()) {
    evictIfFullLocked();
    it = events_.emplace(key, std::deque<TimePoint>{}).first;
  }
  const auto now = clock_.now();
  checkLocked(it->second, now);  // prunes expired events
  it->second.push_back(now);
  while (it->second.size() > max_events_) it->second.pop_front();
}

RateLimiter::Decision RateLimiter::consume(const std::string& key) {
  Decision d = check(key);
  if (d.allowed) record(key);
  return d;
}

void RateLimiter::reset(const std::string& key) {
  MutexLock lock(mu_);
  events_.erase(key);
}

RateWindowFactory inMemoryRateWindows(const Clock& clock) {
  return [&clock](std::string_view /*name*/, std::size_t max_events, std::chrono::seconds window) {
    return std::make_unique<RateLimiter>(clock, max_events, window);
  };
}

}  // namespace kino::common
