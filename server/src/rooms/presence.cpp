#include "kino/rooms/presence.hpp"

namespace kino::rooms {

namespace {
const common::SystemClock kSystemClock;
}  // namespace

PresenceRegistry::PresenceRegistry(const common::Clock* clock)
    : clock_(clock ? *clock : kSystemClock) {}

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
  const auto now = clock_.now();
  common::MutexLock lock(mu_);
  auto it = counts_.find(slug);
  int total = it == counts_.end() ? 0 : it->second;
  for (const auto& [node, report] : remote_) {
    if (report.until <= now) continue;
    if (auto r = report.counts.find(slug); r != report.counts.end()) total += r->second;
  }
  return total;
}

std::map<std::string, int> PresenceRegistry::local() const {
  common::MutexLock lock(mu_);
  return {counts_.begin(), counts_.end()};
}

void PresenceRegistry::replaceRemote(const std::string& node, std::map<std::string, int> counts,
                                     common::TimePoint until) {
  common::MutexLock lock(mu_);
  if (counts.empty()) {
    remote_.erase(node);
    return;
  }
  remote_[node] = Report{{counts.begin(), counts.end()}, until};
}

std::vector<std::string> PresenceRegistry::occupied() const {
  common::MutexLock lock(mu_);
  std::vector<std::string> out;
  out.reserve(counts_.size());
  for (const auto& [slug, count] : counts_) out.push_back(slug);
  return out;
}

}  // namespace kino::rooms
