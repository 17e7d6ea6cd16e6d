#include "kino/rooms/presence.hpp"

namespace kino::rooms {

void PresenceRegistry::entered(const std::string& slug) {
  common::MutexLock lock(mu_);
  ++counts_[slug];
}

void PresenceRegistry::left(const std::string& slug) {
  common::MutexLock lock(mu_);
  auto it = counts_.find(slug);
  if (it == counts_.end()) return;
  if (--it->second <= 0) counts_.erase(it);
}

int PresenceRegistry::participants(std::string_view slug) const {
  common::MutexLock lock(mu_);
  auto it = counts_.find(slug);
  return it == counts_.end() ? 0 : it->second;
}

std::vector<std::string> PresenceRegistry::occupied() const {
  common::MutexLock lock(mu_);
  std::vector<std::string> out;
  out.reserve(counts_.size());
  for (const auto& [slug, count] : counts_) out.push_back(slug);
  return out;
}

}  // namespace kino::rooms
