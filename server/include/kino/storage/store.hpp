#pragma once
// The Store port: durable state behind narrow repositories. Adapters (SQLite, the default, and
// PostgreSQL) pass the same contract tests (tests/unit/storage/store_contract_test.cpp).
//
// Every call blocks on I/O: call it from the worker pool, never from an I/O thread or a room
// strand. Implementations are thread-safe. Failures: kNotFound for a missing row, kConflict for a
// uniqueness violation or a lost lease ("lease_lost", see Fence), kUnavailable when the database is
// busy or unreachable, kInternal otherwise.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kino/common/result.hpp"
#include "kino/storage/records.hpp"
#include "kino/storage/visit_repository.hpp"

namespace kino::storage {

// Guards a write with a lease (LeaseRepository; docs/design/0004-cluster-leases.md): the write is
// done only if lease `lease` is still held by `holder` with `token`, checked in the write's own
// transaction, so a node that lost the lease (it expired and another node took it, raising the
// token) writes nothing: kConflict "lease_lost". An empty `lease` guards nothing (unfenced).
struct Fence {
  std::string lease;   // e.g. "room:42"; "" = unfenced
  std::string holder;  // the node id the write is done for
  std::int64_t token = 0;
  bool fenced() const { return !lease.empty(); }
};

class UserRepository {
 public:
  virtual ~UserRepository() = default;
  // Inserts a user. kConflict ("username_taken") if the username exists in any letter case.
  virtual Result<UserRecord> create(const NewUser& user) = 0;
  // Looks a user up by username, ignoring ASCII letter case.
  virtual Result<UserRecord> findByUsername(std::string_view username) = 0;
  virtual Result<UserRecord> findById(std::int64_t id) = 0;
};

class SessionRepository {
 public:
  virtual ~SessionRepository() = default;
  virtual Result<void> create(const SessionRecord& session) = 0;
  // The session with this token hash whether or not it has expired; kNotFound if absent.
  virtual Result<SessionRecord> find(std::string_view token_hash) = 0;
  // Deletes the session; succeeds when it did not exist.
  virtual Result<void> revoke(std::string_view token_hash) = 0;
  // Deletes sessions that expired before `now`; returns how many.
  virtual Result<int> deleteExpired(common::TimePoint now) = 0;
};

class RoomRepository {
 public:
  virtual ~RoomRepository() = default;
  // Inserts a room. kConflict "slug_taken" when the slug exists (the caller retries with another).
  virtual Result<RoomRecord> create(const NewRoom& room) = 0;
  virtual Result<RoomRecord> findBySlug(std::string_view slug) = 0;
  // Public rooms with `status`, soonest start (scheduled) or newest (live) first, at most `limit`.
  virtual Result<std::vector<RoomRecord>> listPublic(std::string_view status, int limit) = 0;
  // Rewrites the mutable fields (title, description, starts_at, duration, status, ended_reason,
  // live_at, ended_at, last_active_at) of the room with `room.id`.
  virtual Result<void> update(const RoomRecord& room) = 0;
  // Rooms `user_id` owns or `principal` has a grant for (any visibility and status), newest first,
  // at most `limit` ("my rooms").
  virtual Result<std::vector<RoomRecord>> listForUser(std::int64_t user_id, std::string_view principal,
                                                      int limit) = 0;
  // Replaces a private room's key (its kind, "password" or "access_key", and its hash). Grants
  // already given stay. kNotFound when there is no such room.
  virtual Result<void> setKey(std::int64_t room_id, std::string_view kind, std::string_view hash) = 0;
  // Rooms whose stored status is "scheduled" or "live" (the lifecycle sweeper reads these).
  virtual Result<std::vector<RoomRecord>> listOpen(int limit) = 0;
  // Ended rooms whose ended_at is before `cutoff`, oldest end first, at most `limit` (retention).
  virtual Result<std::vector<RoomRecord>> listEndedBefore(common::TimePoint cutoff, int limit) = 0;
  // Deletes the room and everything of it (grants, visits, chat, playback events, call placement)
  // in one transaction, and with it the room's film record when no other room uses it and its job
  // has finished (ready or failed). Returns the ids of the film records deleted: the caller removes
  // their media from the blob store. kNotFound when there is no such room.
  virtual Result<std::vector<std::string>> purge(std::int64_t room_id) = 0;

  // Creates or renames the grant of `principal` for the room.
  virtual Result<void> putGrant(const GrantRecord& grant) = 0;
  virtual Result<GrantRecord> findGrant(std::int64_t room_id, std::string_view principal) = 0;
  // Every grant of the room, in the order they were first given (who came to it).
  virtual Result<std::vector<GrantRecord>> listGrants(std::int64_t room_id) = 0;
  // Hands every grant of `from` to `to` in one transaction (a guest whose identity was rotated);
  // where `to` already has a grant for a room, that one is kept. Returns how many moved.
  virtual Result<int> moveGrants(std::string_view from, std::string_view to) = 0;
};

class AssetRepository {
 public:
  virtual ~AssetRepository() = default;
  virtual Result<void> create(const AssetRecord& asset) = 0;
  virtual Result<AssetRecord> find(std::string_view id) = 0;
  // The newest asset of that source URL that has not failed; kNotFound when none.
  virtual Result<AssetRecord> findReusable(std::string_view source_url) = 0;
  // Rewrites the job fields (state, percent, eta, error, playable, duration, history, attempts,
  // updated_at). With a fence, only while the fence's lease is held (else "lease_lost").
  Result<void> update(const AssetRecord& asset) { return update(asset, Fence{}); }
  virtual Result<void> update(const AssetRecord& asset, const Fence& fence) = 0;
  // Assets whose job has not finished (queued, downloading, probing, packaging), oldest first.
  virtual Result<std::vector<AssetRecord>> listUnfinished() = 0;
  // Whether any public room shows this asset (its media may then be served without a signature).
  virtual Result<bool> usedByPublicRoom(std::string_view id) = 0;
  // Points the room at the asset.
  virtual Result<void> attachToRoom(std::int64_t room_id, std::string_view asset_id) = 0;
};

class MessageRepository {
 public:
  virtual ~MessageRepository() = default;
  // Stores the messages in one transaction, in order, and returns one record per input: the stored
  // one, or, when (room, principal, client_id) already existed, the earlier record with
  // `duplicate` set. Durable when it returns. With a fence, only while the fence's lease is held:
  // else kConflict "lease_lost" and nothing of the batch is stored.
  Result<std::vector<MessageRecord>> appendBatch(const std::vector<NewMessage>& batch) {
    return appendBatch(batch, Fence{});
  }
  virtual Result<std::vector<MessageRecord>> appendBatch(const std::vector<NewMessage>& batch,
                                                         const Fence& fence) = 0;
  // Up to `limit` messages of the room with seq < `before_seq` (all when nullopt), the newest of
  // those, returned oldest first.
  virtual Result<std::vector<MessageRecord>> page(std::int64_t room_id,
                                                  std::optional<std::int64_t> before_seq,
                                                  int limit) = 0;
  // The highest seq stored for the room, 0 when none.
  virtual Result<std::int64_t> lastSeq(std::int64_t room_id) = 0;
  // The room's seq floor: every seq below it may have been used by an earlier run (0 when none).
  virtual Result<std::int64_t> seqFloor(std::int64_t room_id) = 0;
  // Raises the floor to `floor` (never lowers it). With a fence, only while the fence's lease is
  // held (else "lease_lost", the floor unchanged).
  Result<void> raiseSeqFloor(std::int64_t room_id, std::int64_t floor) {
    return raiseSeqFloor(room_id, floor, Fence{});
  }
  virtual Result<void> raiseSeqFloor(std::int64_t room_id, std::int64_t floor,
                                     const Fence& fence) = 0;
};

class PlaybackRepository {
 public:
  virtual ~PlaybackRepository() = default;
  // Stores the events in one transaction (an event already stored is kept as it is). With a fence,
  // only while the fence's lease is held: else kConflict "lease_lost" and nothing is stored.
  Result<void> append(const std::vector<PlaybackEventRecord>& events) {
    return append(events, Fence{});
  }
  virtual Result<void> append(const std::vector<PlaybackEventRecord>& events,
                              const Fence& fence) = 0;
  // The latest event of the room (the state in force); kNotFound when playback never changed.
  virtual Result<PlaybackEventRecord> last(std::int64_t room_id) = 0;
  // Every event of the room in seq order (for replaying a session later).
  virtual Result<std::vector<PlaybackEventRecord>> all(std::int64_t room_id) = 0;
  virtual Result<void> setPolicy(std::int64_t room_id, std::string_view control,
                                 std::string_view buffering) = 0;
};

// Who runs something cluster-wide: a room's live state ("room:<id>"), a periodic job
// ("job:sweeper"). The token grows whenever the lease changes hands (a fencing token): work done
// under an older token can be recognised and refused.
struct LeaseRecord {
  std::string name;
  std::string holder;  // a node id; "" when never taken
  std::int64_t token = 0;
  common::TimePoint expires_at;
};

class LeaseRepository {
 public:
  virtual ~LeaseRepository() = default;
  // Takes or renews `name` for `holder` until `now + ttl` when it is free, expired at `now`, or
  // held by `holder` already (a renewal keeps the token; taking it raises the token). Otherwise it
  // changes nothing. Returns the lease as it stands after the call: granted iff holder == `holder`.
  // Atomic across nodes.
  virtual Result<LeaseRecord> acquire(std::string_view name, std::string_view holder,
                                      common::TimePoint now, std::chrono::milliseconds ttl) = 0;
  // Extends the lease to `now + ttl` if `holder` still holds it with `token`, even when it expired
  // meanwhile: nobody took it since, so every write fenced by `token` stayed valid (a store outage
  // longer than the ttl must not cost the holder its rooms). A released lease stays released.
  // Otherwise changes nothing. Returns the
  // lease as it stands after the call: kept iff holder and token are the caller's.
  virtual Result<LeaseRecord> renew(std::string_view name, std::string_view holder,
                                    std::int64_t token, common::TimePoint now,
                                    std::chrono::milliseconds ttl) = 0;
  // Ends the lease (expires it at once) if `holder` still holds it with `token`; otherwise nothing.
  virtual Result<void> release(std::string_view name, std::string_view holder,
                               std::int64_t token) = 0;
  // kNotFound when it was never taken.
  virtual Result<LeaseRecord> find(std::string_view name) = 0;
  // The unexpired leases `holder` holds at `now` whose name starts with `prefix`.
  virtual Result<std::vector<LeaseRecord>> heldBy(std::string_view holder, std::string_view prefix,
                                                  common::TimePoint now) = 0;
};

// Which Janus node carries each room's video call, shared by the Kino nodes in front of the same
// Janus nodes (media::JanusPool reads it through media::PlacementBook). Nodes are named
// "host:port".
struct MediaPlacementRecord {
  std::int64_t room_id = 0;
  std::string janus_node;
  common::TimePoint placed_at;
};

class MediaPlacementRepository {
 public:
  virtual ~MediaPlacementRepository() = default;
  // Records `janus_node` for the room unless a node is recorded already; returns the placement in
  // force: the caller's, or the one recorded earlier (by any Kino node). Atomic across nodes.
  virtual Result<MediaPlacementRecord> place(std::int64_t room_id, std::string_view janus_node,
                                             common::TimePoint now) = 0;
  // Moves the room to `to` if it is recorded on `from` (or not recorded at all); otherwise changes
  // nothing (another node moved it first). Returns the placement in force. Atomic across nodes.
  virtual Result<MediaPlacementRecord> move(std::int64_t room_id, std::string_view from,
                                            std::string_view to, common::TimePoint now) = 0;
  // Forgets the room's placement if it is still `janus_node`; succeeds when there is none.
  virtual Result<void> forget(std::int64_t room_id, std::string_view janus_node) = 0;
  // kNotFound when the room's call is not placed.
  virtual Result<MediaPlacementRecord> find(std::int64_t room_id) = 0;
};

// Events counted by rate limits shared by every node on the store (storage::StoreRateWindow), each
// a key ("login_ip:203.0.113.7") and a time.
struct RateWindowCount {
  std::int64_t count = 0;  // the key's events in the window, before this call's own
  // When count >= max_events: the time of the max_events-th newest event, the one whose leaving the
  // window lets one more event fit. Unset otherwise.
  std::optional<common::TimePoint> limiting_event;
};

class RateEventRepository {
 public:
  virtual ~RateEventRepository() = default;
  // Forgets `key`'s events at or before `now - window`, counts the rest and, when `record` and
  // fewer than `max_events` remain, adds one at `now`. Returns the count before that addition.
  // Atomic across nodes: callers racing on one key never add more than `max_events` in a window.
  virtual Result<RateWindowCount> consume(std::string_view key, std::int64_t max_events,
                                          std::chrono::milliseconds window, common::TimePoint now,
                                          bool record) = 0;
  // Forgets every event of `key`.
  virtual Result<void> reset(std::string_view key) = 0;
  // Forgets every event (of any key) before `before`; returns how many.
  virtual Result<int> purgeBefore(common::TimePoint before) = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  virtual UserRepository& users() = 0;
  virtual SessionRepository& sessions() = 0;
  virtual RoomRepository& rooms() = 0;
  virtual MessageRepository& messages() = 0;
  virtual AssetRepository& assets() = 0;
  virtual PlaybackRepository& playback() = 0;
  virtual LeaseRepository& leases() = 0;
  virtual MediaPlacementRepository& mediaPlacements() = 0;
  virtual RateEventRepository& rateEvents() = 0;
  virtual VisitRepository& visits() = 0;
  // Cheap round trip for readiness checks.
  virtual Result<void> ping() = 0;
  // Applies pending schema migrations (kino/storage/migrations.hpp); returns the schema version
  // now in force. Safe to run on several nodes at once.
  virtual Result<int> migrate() = 0;
  // Housekeeping that keeps the store ready for the coming weeks; call it now and then (the app
  // does, every hour). PostgreSQL creates the monthly chat and playback partitions of `now`'s month
  // and the next two; SQLite has nothing to do.
  virtual Result<void> maintain(common::TimePoint now) = 0;
};

}  // namespace kino::storage
