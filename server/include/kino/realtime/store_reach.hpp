#pragma once
// Whether a lease that ran out proves its holder is gone. Holders renew through the store; while
// the store cannot be reached (a PostgreSQL failover takes seconds) nobody can renew, so leases run
// out with their holders alive and well. Reading such an expiry as a death would move every room
// and drop every relayed socket after each database failover. So an expiry counts as a death only
// once this node has reached the store for a whole lease ttl without trouble since its last
// trouble: time enough for a live holder to renew (it renews every third of the ttl).

#include <chrono>
#include <optional>

#include "kino/common/clock.hpp"
#include "kino/common/mutex.hpp"

namespace kino::realtime {

class StoreReach {
 public:
  explicit StoreReach(std::chrono::milliseconds ttl) : ttl_(ttl) {}

  // Records one lease call to the store that returned at `end` (the injected clock's time) after
  // `took` of real time. A call that could not reach the store, or took longer than a third of the
  // ttl (it waited through retries), is trouble that lasted until `end`. Thread-safe.
  void record(common::TimePoint end, std::chrono::steady_clock::duration took, bool reached)
      KINO_EXCLUDES(mu_);

  // True when a lease that expired before `now` means its holder is gone. Thread-safe.
  bool expiryMeansGone(common::TimePoint now) const KINO_EXCLUDES(mu_);

 private:
  const std::chrono::milliseconds ttl_;
  mutable common::Mutex mu_;
  std::optional<common::TimePoint> trouble_until_ KINO_GUARDED_BY(mu_);
};

}  // namespace kino::realtime
