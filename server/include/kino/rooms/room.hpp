#pragma once
// Room values shared by the room service, its routes and (later) the realtime layer.

#include <chrono>
#include <optional>
#include <string>

#include "kino/accounts/account_service.hpp"
#include "kino/common/clock.hpp"
#include "kino/storage/records.hpp"

namespace kino::rooms {

// Who is asking: a signed-in user, a guest (identified by the hash of their guest cookie), or both
// absent (an anonymous visitor, who may only look at public rooms).
struct Visitor {
  std::optional<accounts::User> user;
  std::string guest_id;  // hex SHA-256 of the guest token; empty when there is no guest cookie

  // "user:<id>", "guest:<hash>" or "" (anonymous).
  std::string principal() const;
};

struct CreateRoomRequest {
  std::string title;
  std::string video_url;
  std::string visibility;                // "public" | "private"
  std::optional<std::string> password;   // private rooms: typed by the owner; absent = generate a key
  std::optional<common::TimePoint> starts_at;
  std::optional<int> duration_minutes;
  std::string description;
};

struct RoomPatch {
  std::optional<std::string> title;
  std::optional<std::string> description;
  std::optional<common::TimePoint> starts_at;  // scheduled rooms only
  std::optional<int> duration_minutes;        // scheduled rooms only
};

struct JoinRequest {
  std::optional<std::string> key;           // password or access key (private rooms)
  std::optional<std::string> display_name;  // guests must give one; users default to theirs
};

// A room as one visitor sees it.
struct RoomView {
  storage::RoomRecord room;
  int participants = 0;
  bool is_owner = false;
  bool joined = false;                // has a grant (or owns the room)
  std::string display_name;           // the name this visitor appears under, when joined
};

// The door of a private room: what anyone with its link may see before entering its password or
// access key. Nothing else about the room (no description, film or people).
struct RoomDoor {
  std::string title;
  std::string host_display_name;
  std::string protected_by;  // "password" or "access_key"
};

struct CreatedRoom {
  RoomView view;
  std::optional<std::string> access_key;  // only when generated; shown once, never stored
};

// Applies the time-driven transitions of the lifecycle scheduled → live → ended:
// a scheduled room goes live at starts_at; a live room with nobody in it for `empty_timeout` ends
// ("empty"); while people are in, last_active_at follows `now` (to the minute). Returns true when
// `room` changed. Pure: no I/O, no clock of its own.
bool advanceLifecycle(storage::RoomRecord& room, common::TimePoint now, int participants,
                      std::chrono::minutes empty_timeout);

// The unambiguous alphabet of slugs and access keys (no 0/o, 1/l/i).
inline constexpr std::string_view kSlugAlphabet = "23456789abcdefghjkmnpqrstuvwxyz";

// Lower-cases an access key and drops dashes and spaces, so "K7M2-X9PQ" matches "k7m2x9pq".
std::string normalizeAccessKey(std::string_view key);

}  // namespace kino::rooms
