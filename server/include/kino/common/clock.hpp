#pragma once
// Wall-clock time, injected so that tests drive time with a fake clock and never sleep.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kino::common {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  // Current UTC time. Thread-safe.
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
};

// The system clock plus an offset that only moves forward. Production runs it at offset zero; the
// testing.clock_control switch lets integration tests move a real server's time (e.g. to make a
// scheduled room go live) without sleeping.
class OffsetClock final : public Clock {
 public:
  TimePoint now() const override {
    return std::chrono::system_clock::now() + std::chrono::milliseconds(offset_ms_.load());
  }
  void advance(std::chrono::milliseconds by) {
    if (by.count() > 0) offset_ms_ += by.count();
  }
  std::chrono::milliseconds offset() const { return std::chrono::milliseconds(offset_ms_.load()); }
  // Moves the clock forward to `offset` ahead of the system clock; never back (several nodes
  // sharing one testing clock each raise theirs to the largest offset any of them announced).
  void raiseTo(std::chrono::milliseconds offset) {
    std::int64_t seen = offset_ms_.load();
    while (seen < offset.count() && !offset_ms_.compare_exchange_weak(seen, offset.count())) {
    }
  }

 private:
  std::atomic<std::int64_t> offset_ms_{0};
};

// Milliseconds since the Unix epoch, the unit times are stored in.
std::int64_t toUnixMillis(TimePoint t);
TimePoint fromUnixMillis(std::int64_t ms);
// RFC 3339 UTC with millisecond precision, e.g. "2026-11-25T12:00:00.000Z".
std::string toRfc3339(TimePoint t);
// Parses RFC 3339 ("2026-12-01T18:30:00Z", "...T18:30:00.5+02:00", seconds optional); nullopt when
// malformed or out of range.
std::optional<TimePoint> parseRfc3339(std::string_view text);

}  // namespace kino::common
