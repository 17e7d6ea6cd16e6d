#include "kino/rooms/archive_people.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace kino::rooms {

std::vector<ArchivePerson> archivePeople(const std::vector<storage::GrantRecord>& grants,
                                         const std::vector<storage::VisitRecord>& visits,
                                         std::optional<common::TimePoint> ended_at) {
  std::map<std::string, ArchivePerson> by_principal;
  std::set<std::string> granted;
  for (const auto& g : grants) {
    by_principal[g.principal] = ArchivePerson{g.principal, g.display_name, g.created_at, {}};
    granted.insert(g.principal);
  }
  for (storage::VisitRecord v : visits) {
    if (ended_at) {
      v.joined_at = std::min(v.joined_at, *ended_at);
      v.left_at = std::min(v.left_at.value_or(*ended_at), *ended_at);
    }
    auto [it, is_new] = by_principal.try_emplace(v.principal);
    ArchivePerson& p = it->second;
    if (is_new) p = ArchivePerson{v.principal, v.display_name, v.joined_at, {}};
    p.first_came = std::min(p.first_came, v.joined_at);
    p.visits.push_back(std::move(v));
  }
  std::vector<ArchivePerson> out;
  out.reserve(by_principal.size());
  for (auto& entry : by_principal) {
    ArchivePerson& p = entry.second;
    std::stable_sort(p.visits.begin(), p.visits.end(), [](const auto& a, const auto& b) {
      return a.joined_at < b.joined_at;
    });
    // Without a grant, the name they last had in the room.
    if (!granted.contains(p.principal)) p.display_name = p.visits.back().display_name;
    out.push_back(std::move(p));
  }
  std::sort(out.begin(), out.end(), [](const ArchivePerson& a, const ArchivePerson& b) {
    return std::tie(a.first_came, a.principal) < std::tie(b.first_came, b.principal);
  });
  return out;
}

}  // namespace kino::rooms
