#pragma once
// A clock that moves only when the test says so.

#include <atomic>

#include "kino/common/clock.hpp"

namespace kino::testing {

class FakeClock final : public common::Clock {
 public:
  explicit FakeClock(common::TimePoint start = common::fromUnixMillis(1'800'000'000'000))
      : now_ms_(common::toUnixMillis(start)) {}
  common::TimePoint now() const override { return common::fromUnixMillis(now_ms_.load()); }
  void advance(std::chrono::milliseconds d) { now_ms_ += d.count(); }

 private:
  std::atomic<std::int64_t> now_ms_;
};

}  // namespace kino::testing
