#include "kino/common/concurrency_cap.hpp"

#include <utility>

namespace kino::common {

ConcurrencyCap::Slot::Slot(std::shared_ptr<State> state, std::string key)
    : state_(std::move(state)), key_(std::move(key)) {}

ConcurrencyCap::Slot& ConcurrencyCap::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    release();
    state_ = std::move(other.state_);
    key_ = std::move(other.key_);
  }
  return *this;
}

ConcurrencyCap::Slot::~Slot() { release(); }

void ConcurrencyCap::Slot::release() {
  if (!state_) return;  // moved from
  {
    MutexLock lock(state_->mu);
    auto it = state_->counts.find(key_);
    if (it != state_->counts.end() && --it->second == 0) state_->counts.erase(it);
  }
  state_.reset();
}

ConcurrencyCap::ConcurrencyCap(std::size_t max_per_key)
    : max_per_key_(max_per_key < 1 ? 1 : max_per_key), state_(std::make_shared<State>()) {}

std::optional<ConcurrencyCap::Slot> ConcurrencyCap::tryAcquire(const std::string& key) {
  MutexLock lock(state_->mu);
  auto& count = state_->counts[key];
  if (count >= max_per_key_) return std::nullopt;
  ++count;
  return Slot(state_, key);
}

std::size_t ConcurrencyCap::inUse(const std::string& key) const {
  MutexLock lock(state_->mu);
  auto it = state_->counts.find(key);
  return it == state_->counts.end() ? 0 : it->second;
}

std::size_t ConcurrencyCap::keyCount() const {
  MutexLock lock(state_->mu);
  return state_->counts.size();
}

}  // namespace kino::common
