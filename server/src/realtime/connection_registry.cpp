#include "kino/realtime/connection_registry.hpp"

#include <vector>

namespace kino::realtime {
namespace {

// Decrements a count and forgets the key at zero, so the maps hold only what is open.
template <class Map, class Key>
int countOf(const Map& counts, const Key& key) {
  auto it = counts.find(key);
  return it == counts.end() ? 0 : it->second;
}

template <class Map, class Key>
void drop(Map& counts, const Key& key) {
  auto it = counts.find(key);
  if (it != counts.end() && --it->second <= 0) counts.erase(it);
}

Error tooMany(std::string message) {
  Error e = Error::make(ErrorKind::kRateLimited, "too_many_connections", std::move(message));
  e.retry_after = std::chrono::seconds(5);
  return e;
}

}  // namespace

ConnectionRegistry::Place& ConnectionRegistry::Place::operator=(Place&& other) noexcept {
  if (this != &other) {
    if (registry_) registry_->release(id_);
    registry_ = other.registry_;
    id_ = other.id_;
    other.registry_ = nullptr;
  }
  return *this;
}

ConnectionRegistry::Place::~Place() {
  if (registry_) registry_->release(id_);
}

void ConnectionRegistry::Place::attach(std::weak_ptr<Outlet> outlet) {
  if (registry_) registry_->attach(id_, std::move(outlet));
}

Result<ConnectionRegistry::Place> ConnectionRegistry::reserve(const SocketOwner& owner) {
  common::MutexLock lock(mu_);
  if (countOf(by_principal_, owner.principal) >= limits_.per_person) {
    return tooMany("Kino is open in too many tabs or windows of yours. Close some and try again.");
  }
  if (countOf(by_address_, owner.address) >= limits_.per_address) {
    return tooMany("Too many Kino connections come from your network. Try again later.");
  }
  if (countOf(by_room_, owner.room_id) >= limits_.per_room) {
    return Error::make(ErrorKind::kConflict, "room_full",
                       "This room is full right now. Try again in a little while.");
  }
  const std::uint64_t id = next_id_++;
  entries_.emplace(id, Entry{owner, {}});
  ++by_principal_[owner.principal];
  ++by_address_[owner.address];
  ++by_room_[owner.room_id];
  return Place(this, id);
}

void ConnectionRegistry::attach(std::uint64_t id, std::weak_ptr<Outlet> outlet) {
  common::MutexLock lock(mu_);
  if (auto it = entries_.find(id); it != entries_.end()) it->second.outlet = std::move(outlet);
}

void ConnectionRegistry::release(std::uint64_t id) {
  common::MutexLock lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  drop(by_principal_, it->second.owner.principal);
  drop(by_address_, it->second.owner.address);
  drop(by_room_, it->second.owner.room_id);
  entries_.erase(it);
}

int ConnectionRegistry::closeSession(const std::string& session, int code,
                                     const std::string& reason) {
  if (session.empty()) return 0;
  std::vector<std::shared_ptr<Outlet>> reached;
  {
    common::MutexLock lock(mu_);
    for (auto& [id, e] : entries_) {
      if (e.owner.session != session) continue;
      if (auto outlet = e.outlet.lock()) reached.push_back(std::move(outlet));
    }
  }
  // Outside the lock: an outlet's close may end up releasing its place.
  for (auto& outlet : reached) outlet->close(code, reason);
  return static_cast<int>(reached.size());
}

std::size_t ConnectionRegistry::size() const {
  common::MutexLock lock(mu_);
  return entries_.size();
}

}  // namespace kino::realtime
