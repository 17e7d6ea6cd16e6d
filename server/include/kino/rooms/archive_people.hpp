#pragma once
// Who was in a room and when, as its archive shows it: everyone who holds a grant for the room or
// visited it (guests of a public room may have no grant), each with their visits.

#include <optional>
#include <string>
#include <vector>

#include "kino/common/clock.hpp"
#include "kino/storage/records.hpp"
#include "kino/storage/visit_repository.hpp"

namespace kino::rooms {

struct ArchivePerson {
  std::string principal;
  std::string display_name;  // the grant's name, else the latest visit's
  common::TimePoint first_came;  // the earlier of their grant and their first visit
  std::vector<storage::VisitRecord> visits;  // oldest join first
};

// One entry per principal found in `grants` or `visits`, in the order they first came (ties: by
// principal). For an ended room (`ended_at` set) no visit reaches past the end: one still open,
// or closed later (a leave written after the end), is shown as closed at `ended_at`.
std::vector<ArchivePerson> archivePeople(const std::vector<storage::GrantRecord>& grants,
                                         const std::vector<storage::VisitRecord>& visits,
                                         std::optional<common::TimePoint> ended_at);

}  // namespace kino::rooms
