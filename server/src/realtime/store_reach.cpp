#include "kino/realtime/store_reach.hpp"

namespace kino::realtime {

void StoreReach::record(common::TimePoint end, std::chrono::steady_clock::duration took,
                        bool reached) {
  if (reached && took <= ttl_ / 3) return;
  common::MutexLock lock(mu_);
  if (!trouble_until_ || *trouble_until_ < end) trouble_until_ = end;
}

bool StoreReach::expiryMeansGone(common::TimePoint now) const {
  common::MutexLock lock(mu_);
  return !trouble_until_ || now - *trouble_until_ >= ttl_;
}

}  // namespace kino::realtime
