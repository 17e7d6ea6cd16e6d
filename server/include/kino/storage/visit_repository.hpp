#pragma once
// Who was in a room and when: one visit per stay of a person (principal), from their first
// connection to the room until their last one left. The room's owner on the live node writes them
// (realtime::RoomActor); the archive reads them. Part of the Store port (kino/storage/store.hpp):
// every call blocks on I/O, call it from the worker pool.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kino/common/clock.hpp"
#include "kino/common/result.hpp"

namespace kino::storage {

struct VisitRecord {
  std::int64_t id = 0;
  std::int64_t room_id = 0;
  std::string principal;     // "user:<id>" or "guest:<hash>"
  std::string display_name;  // the name they had in the room (the latest, while open)
  common::TimePoint joined_at;
  std::optional<common::TimePoint> left_at;  // unset while the visit is open
};

class VisitRepository {
 public:
  virtual ~VisitRepository() = default;
  // Opens a visit of `principal` to the room at `at`, unless they have one open already (the room
  // moved to another node and they reconnected there): then that one goes on, with `display_name`.
  // A person has at most one open visit per room. Returns the open visit.
  virtual Result<VisitRecord> open(std::int64_t room_id, std::string_view principal,
                                   std::string_view display_name, common::TimePoint at) = 0;
  // Closes the person's open visit at `at` (at its joined_at when `at` is earlier); succeeds when
  // none is open.
  virtual Result<void> close(std::int64_t room_id, std::string_view principal,
                             common::TimePoint at) = 0;
  // Closes every open visit of the room at `at` (the room ended); returns how many.
  virtual Result<int> closeAll(std::int64_t room_id, common::TimePoint at) = 0;
  // Every visit of the room, oldest join first (ties: the order they were opened).
  virtual Result<std::vector<VisitRecord>> list(std::int64_t room_id) = 0;
};

}  // namespace kino::storage
