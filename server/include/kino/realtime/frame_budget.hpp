#pragma once
// A token bucket for the frames one connection may send: `per_window` frames at once, refilled
// continuously at `per_window` per `window_ms`. Pure: the caller passes its clock's time in ms, so
// tests move time by hand. Not thread-safe (owned by the room core, on the room's strand).

#include <algorithm>
#include <cstdint>

namespace kino::realtime {

class FrameBudget {
 public:
  FrameBudget() = default;
  FrameBudget(int per_window, std::int64_t window_ms)
      : capacity_(std::max(per_window, 1)), window_ms_(std::max<std::int64_t>(window_ms, 1)),
        tokens_(static_cast<double>(capacity_)) {}

  // Takes one token when one is available at `now_ms`; false (taking nothing) otherwise.
  bool take(std::int64_t now_ms) {
    refill(now_ms);
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

  // Milliseconds until one token is available (0 when one is now). Call after take() at the same
  // `now_ms`.
  std::int64_t retryAfterMs() const {
    if (tokens_ >= 1) return 0;
    const double per_ms = static_cast<double>(capacity_) / static_cast<double>(window_ms_);
    return static_cast<std::int64_t>((1 - tokens_) / per_ms) + 1;
  }

 private:
  void refill(std::int64_t now_ms) {
    if (last_ms_ == 0 || now_ms < last_ms_) {
      last_ms_ = now_ms;
      return;
    }
    const double per_ms = static_cast<double>(capacity_) / static_cast<double>(window_ms_);
    tokens_ = std::min<double>(capacity_, tokens_ + static_cast<double>(now_ms - last_ms_) * per_ms);
    last_ms_ = now_ms;
  }

  int capacity_ = 1;
  std::int64_t window_ms_ = 1;
  double tokens_ = 1;
  std::int64_t last_ms_ = 0;
};

}  // namespace kino::realtime
