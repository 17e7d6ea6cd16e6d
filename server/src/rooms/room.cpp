#include "kino/rooms/room.hpp"

#include <algorithm>
#include <cctype>

namespace kino::rooms {
namespace {
constexpr auto kActivityResolution = std::chrono::minutes(1);
}  // namespace

std::string Visitor::principal() const {
  if (user) return "user:" + std::to_string(user->id);
  if (!guest_id.empty()) return "guest:" + guest_id;
  return {};
}

bool advanceLifecycle(storage::RoomRecord& room, common::TimePoint now, int participants,
                      std::chrono::minutes empty_timeout) {
  bool changed = false;
  if (room.status == "scheduled" && room.starts_at && *room.starts_at <= now) {
    room.status = "live";
    room.live_at = *room.starts_at;
    room.last_active_at = std::max(room.last_active_at, *room.starts_at);
    changed = true;
  }
  // While people are in, the room is active; refreshed at most once a minute to spare writes.
  if (room.status == "live" && participants > 0 && now - room.last_active_at >= kActivityResolution) {
    room.last_active_at = now;
    changed = true;
  }
  if (room.status == "live" && participants == 0 && now - room.last_active_at >= empty_timeout) {
    room.status = "ended";
    room.ended_reason = "empty";
    room.ended_at = room.last_active_at + empty_timeout;
    changed = true;
  }
  return changed;
}

std::string normalizeAccessKey(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '-' || c == ' ') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace kino::rooms
