#pragma once
// Rooms: creation with short links, private-room access (password or generated key, argon2id-hashed,
// rate-limited), grants for users and guests, the lifecycle, listings. Thread-safe; every call may
// block on the Store and argon2id: call it from the worker pool.

#include <atomic>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "kino/accounts/password_hasher.hpp"
#include "kino/common/clock.hpp"
#include "kino/common/config.hpp"
#include "kino/common/random.hpp"
#include "kino/common/rate_window.hpp"
#include "kino/rooms/archive_people.hpp"
#include "kino/rooms/presence.hpp"
#include "kino/rooms/room.hpp"
#include "kino/storage/store.hpp"

namespace kino::rooms {

struct MessagePage {
  std::vector<storage::MessageRecord> messages;  // oldest first
  bool has_more = false;                         // older messages exist before the first one
};

class RoomService {
 public:
  // `rate_windows` makes the room-key and room-creation limits ("join_ip", "join_room",
  // "create_user"); empty = in this process's memory.
  RoomService(storage::Store& store, const common::Clock& clock, common::Random& random,
              const PresenceRegistry& presence, const common::RoomsConfig& config,
              accounts::Argon2Params argon2, common::RateWindowFactory rate_windows = {});

  // Validates and creates the room with a fresh slug (retrying on collision). kInvalid with `field`,
  // kRateLimited when the owner creates too many.
  Result<CreatedRoom> create(const accounts::User& owner, const CreateRoomRequest& request);
  // The room for `visitor`. kNotFound for an unknown slug; kForbidden "room_private" for a private
  // room the visitor has no grant for.
  Result<RoomView> view(std::string_view slug, const Visitor& visitor);
  // The door of a private room (title, host, how it is protected). kNotFound for an unknown slug
  // or a room that is not private.
  Result<RoomDoor> door(std::string_view slug);
  // The rooms `user` created or was let into (any visibility and status), newest first, at most
  // kMineMax.
  Result<std::vector<RoomView>> mine(const accounts::User& user);
  // A new key for a private room (its owner only): `password` when given (6–128 characters), else
  // a generated access key, returned once. Whoever is already in keeps their grant. kConflict
  // "room_public" for a public room.
  Result<CreatedRoom> rotateKey(std::string_view slug, const accounts::User& user,
                                const std::optional<std::string>& password);

  static constexpr int kMineMax = 200;
  // Grants `visitor` entry. Private rooms need the right key (kForbidden "wrong_room_key",
  // kRateLimited per IP and per room). Guests need a display name and guests_allowed
  // (kUnauthenticated "account_required"). Ended or cancelled rooms refuse (kConflict "room_ended").
  Result<RoomView> join(std::string_view slug, const Visitor& visitor, const JoinRequest& request,
                        std::string_view client_ip);
  // A page of chat history for a visitor who may see the room (same rule as view()): up to `limit`
  // (1–100) messages with seq < `before` (the newest when absent).
  Result<MessagePage> messages(std::string_view slug, const Visitor& visitor,
                               std::optional<std::int64_t> before, int limit);
  // The whole chat, oldest first, for a visitor who may see the room (same rule as view()), with
  // the room (for exports).
  Result<std::pair<RoomView, std::vector<storage::MessageRecord>>> transcript(
      std::string_view slug, const Visitor& visitor);
  // What the archive of a room shows besides its chat, for a visitor who may see the room (same
  // rule as view()): everyone who came, with when they were there (archivePeople), and every
  // playback action (seq order).
  struct Archive {
    RoomView view;
    std::vector<ArchivePerson> people;
    std::vector<storage::PlaybackEventRecord> timeline;
  };
  Result<Archive> archive(std::string_view slug, const Visitor& visitor);
  // Public rooms with status "live" or "scheduled".
  Result<std::vector<RoomView>> listPublic(std::string_view status, const Visitor& visitor);
  // Owner only (kForbidden "not_owner"). Times only while scheduled (kConflict "room_started").
  Result<RoomView> update(std::string_view slug, const accounts::User& user, const RoomPatch& patch);
  // Owner only: a live room ends ("owner_ended"); a scheduled one is cancelled ("cancelled").
  Result<RoomView> end(std::string_view slug, const accounts::User& user);
  // Owner only (kForbidden "not_owner"): deletes the room now. A room not yet ended ends first
  // (ended_reason "deleted", so its people are told), then it goes with everything of it
  // (storage::RoomRepository::purge). Returns the ids of films whose media the caller removes.
  Result<std::vector<std::string>> remove(std::string_view slug, const accounts::User& user);
  // Deletes up to `limit` rooms that ended before `cutoff` (retention), oldest first. Returns how
  // many went and the ids of films whose media the caller removes.
  Result<std::pair<int, std::vector<std::string>>> purgeEndedBefore(common::TimePoint cutoff,
                                                                    int limit);
  // Records that someone is active in the room now (joins, presence changes).
  Result<void> touch(std::string_view slug);
  // Applies due lifecycle transitions to every open room; returns how many changed. `min_interval`
  // skips the work when the last sweep was more recent than that (listings call it on every read).
  Result<int> sweep(std::chrono::milliseconds min_interval = std::chrono::milliseconds(0));
  // Records that the rooms this node has people in are active (at most once a minute each, as a
  // sweep does). Presence is per node, and the periodic sweep runs on one node of a cluster: every
  // node calls this as often, so the sweeping node never takes a room whose people are elsewhere
  // for empty.
  Result<void> refreshOccupied();
  // `listener` runs (on the caller's thread) each time a room's move to "ended" has been stored:
  // ended by its owner, cancelled, or emptied out. Set it once, before the service is used.
  void onEnded(std::function<void(const storage::RoomRecord& room)> listener);

 private:
  struct NewKey {
    std::string kind;  // "password" | "access_key"
    std::string hash;
    std::optional<std::string> access_key;  // when generated
  };
  Result<NewKey> newKey(const std::optional<std::string>& password);
  Result<storage::RoomRecord> load(std::string_view slug);
  Result<storage::RoomRecord> loadOwned(std::string_view slug, const accounts::User& user);
  RoomView viewOf(storage::RoomRecord room, const Visitor& visitor, bool joined,
                  std::string display_name) const;
  Result<bool> hasAccess(const storage::RoomRecord& room, const Visitor& visitor,
                         std::string& display_name);
  Result<void> checkKey(const storage::RoomRecord& room, const std::optional<std::string>& key,
                        std::string_view client_ip);
  // Stores the room's changed fields; when it has just ended, closes its open visits at its end
  // (best-effort: a failure is logged) and tells the listener.
  Result<void> save(const storage::RoomRecord& room, std::string_view status_before);
  void closeVisits(const storage::RoomRecord& room);

  storage::Store& store_;
  const common::Clock& clock_;
  common::Random& random_;
  const PresenceRegistry& presence_;
  const common::RoomsConfig config_;
  accounts::PasswordHasher hasher_;
  std::unique_ptr<common::RateWindow> failures_by_ip_;
  std::unique_ptr<common::RateWindow> failures_by_room_;
  std::unique_ptr<common::RateWindow> creates_by_user_;
  std::atomic<std::int64_t> last_sweep_ms_{0};
  std::function<void(const storage::RoomRecord&)> on_ended_;
};

}  // namespace kino::rooms
