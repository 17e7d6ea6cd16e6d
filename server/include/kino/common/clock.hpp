#pragma once
// Wall-clock time, injected so that tests drive time with a fake clock and never sleep.

#include <chrono>
#include <cstdint>
#include <string>

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

// Milliseconds since the Unix epoch, the unit times are stored in.
std::int64_t toUnixMillis(TimePoint t);
TimePoint fromUnixMillis(std::int64_t ms);
// RFC 3339 UTC with millisecond precision, e.g. "2026-11-25T12:00:00.000Z".
std::string toRfc3339(TimePoint t);

}  // namespace kino::common
