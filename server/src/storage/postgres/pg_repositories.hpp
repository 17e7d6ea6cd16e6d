#pragma once
// The PostgreSQL repositories of the Store port, private to the adapter. Each is thread-safe: every
// call runs in its own pooled transaction (PgDatabase::transact).

#include <optional>

#include <pqxx/result>
#include <pqxx/row>

#include "kino/storage/store.hpp"
#include "pg_database.hpp"

namespace kino::storage::postgres {

// Column readers shared by the repositories.
inline std::int64_t int64(const pqxx::field& f) { return f.as<std::int64_t>(); }
inline common::TimePoint timePoint(const pqxx::field& f) {
  return common::fromUnixMillis(int64(f));
}
inline std::optional<common::TimePoint> optionalTimePoint(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return timePoint(f);
}
inline std::optional<std::int64_t> optionalMillis(const std::optional<common::TimePoint>& t) {
  if (!t) return std::nullopt;
  return common::toUnixMillis(*t);
}

// Inside a guarded write's transaction, before it writes: whether the fence's lease is still held
// by its holder with its token (success when unfenced). The lease row is locked FOR SHARE until the
// transaction ends, so the lease cannot change hands before the write commits (a concurrent
// acquire waits for it); kConflict "lease_lost" otherwise.
Result<void> checkFence(pqxx::work& tx, const Fence& fence);

class PgUsers final : public UserRepository {
 public:
  explicit PgUsers(PgDatabase& db) : db_(db) {}
  Result<UserRecord> create(const NewUser& user) override;
  Result<UserRecord> findByUsername(std::string_view username) override;
  Result<UserRecord> findById(std::int64_t id) override;

 private:
  PgDatabase& db_;
};

class PgSessions final : public SessionRepository {
 public:
  explicit PgSessions(PgDatabase& db) : db_(db) {}
  Result<void> create(const SessionRecord& session) override;
  Result<SessionRecord> find(std::string_view token_hash) override;
  Result<void> revoke(std::string_view token_hash) override;
  Result<int> deleteExpired(common::TimePoint now) override;

 private:
  PgDatabase& db_;
};

class PgRooms final : public RoomRepository {
 public:
  explicit PgRooms(PgDatabase& db) : db_(db) {}
  Result<RoomRecord> create(const NewRoom& room) override;
  Result<RoomRecord> findBySlug(std::string_view slug) override;
  Result<std::vector<RoomRecord>> listPublic(std::string_view status, int limit) override;
  Result<void> update(const RoomRecord& room) override;
  Result<std::vector<RoomRecord>> listForUser(std::int64_t user_id, std::string_view principal,
                                              int limit) override;
  Result<void> setKey(std::int64_t room_id, std::string_view kind, std::string_view hash) override;
  Result<std::vector<RoomRecord>> listOpen(int limit) override;
  Result<std::vector<RoomRecord>> listEndedBefore(common::TimePoint cutoff, int limit) override;
  Result<std::vector<std::string>> purge(std::int64_t room_id) override;
  Result<std::vector<GrantRecord>> listGrants(std::int64_t room_id) override;
  Result<void> putGrant(const GrantRecord& grant) override;
  Result<GrantRecord> findGrant(std::int64_t room_id, std::string_view principal) override;
  Result<int> moveGrants(std::string_view from, std::string_view to) override;

 private:
  PgDatabase& db_;
};

class PgMessages final : public MessageRepository {
 public:
  explicit PgMessages(PgDatabase& db) : db_(db) {}
  using MessageRepository::appendBatch;
  using MessageRepository::raiseSeqFloor;
  Result<std::vector<MessageRecord>> appendBatch(const std::vector<NewMessage>& batch,
                                                 const Fence& fence) override;
  Result<std::vector<MessageRecord>> page(std::int64_t room_id,
                                          std::optional<std::int64_t> before_seq,
                                          int limit) override;
  Result<std::int64_t> lastSeq(std::int64_t room_id) override;
  Result<std::int64_t> seqFloor(std::int64_t room_id) override;
  Result<void> raiseSeqFloor(std::int64_t room_id, std::int64_t floor, const Fence& fence) override;

 private:
  Result<std::vector<MessageRecord>> appendOnce(const std::vector<NewMessage>& batch,
                                                const Fence& fence);
  PgDatabase& db_;
};

class PgAssets final : public AssetRepository {
 public:
  explicit PgAssets(PgDatabase& db) : db_(db) {}
  Result<void> create(const AssetRecord& asset) override;
  Result<AssetRecord> find(std::string_view id) override;
  Result<AssetRecord> findReusable(std::string_view source_url) override;
  using AssetRepository::update;
  Result<void> update(const AssetRecord& asset, const Fence& fence) override;
  Result<std::vector<AssetRecord>> listUnfinished() override;
  Result<bool> usedByPublicRoom(std::string_view id) override;
  Result<void> attachToRoom(std::int64_t room_id, std::string_view asset_id) override;

 private:
  PgDatabase& db_;
};

class PgPlayback final : public PlaybackRepository {
 public:
  explicit PgPlayback(PgDatabase& db) : db_(db) {}
  using PlaybackRepository::append;
  Result<void> append(const std::vector<PlaybackEventRecord>& events, const Fence& fence) override;
  Result<PlaybackEventRecord> last(std::int64_t room_id) override;
  Result<std::vector<PlaybackEventRecord>> all(std::int64_t room_id) override;
  Result<void> setPolicy(std::int64_t room_id, std::string_view control,
                         std::string_view buffering) override;

 private:
  PgDatabase& db_;
};

class PgLeases final : public LeaseRepository {
 public:
  explicit PgLeases(PgDatabase& db) : db_(db) {}
  Result<LeaseRecord> acquire(std::string_view name, std::string_view holder, common::TimePoint now,
                              std::chrono::milliseconds ttl) override;
  Result<LeaseRecord> renew(std::string_view name, std::string_view holder, std::int64_t token,
                            common::TimePoint now, std::chrono::milliseconds ttl) override;
  Result<void> release(std::string_view name, std::string_view holder, std::int64_t token) override;
  Result<LeaseRecord> find(std::string_view name) override;
  Result<std::vector<LeaseRecord>> heldBy(std::string_view holder, std::string_view prefix,
                                          common::TimePoint now) override;

 private:
  PgDatabase& db_;
};

class PgMediaPlacements final : public MediaPlacementRepository {
 public:
  explicit PgMediaPlacements(PgDatabase& db) : db_(db) {}
  Result<MediaPlacementRecord> place(std::int64_t room_id, std::string_view janus_node,
                                     common::TimePoint now) override;
  Result<MediaPlacementRecord> move(std::int64_t room_id, std::string_view from,
                                    std::string_view to, common::TimePoint now) override;
  Result<void> forget(std::int64_t room_id, std::string_view janus_node) override;
  Result<MediaPlacementRecord> find(std::int64_t room_id) override;

 private:
  PgDatabase& db_;
};

class PgRateEvents final : public RateEventRepository {
 public:
  explicit PgRateEvents(PgDatabase& db) : db_(db) {}
  Result<RateWindowCount> consume(std::string_view key, std::int64_t max_events,
                                  std::chrono::milliseconds window, common::TimePoint now,
                                  bool record) override;
  Result<void> reset(std::string_view key) override;
  Result<int> purgeBefore(common::TimePoint before) override;

 private:
  PgDatabase& db_;
};

class PgVisits final : public VisitRepository {
 public:
  explicit PgVisits(PgDatabase& db) : db_(db) {}
  Result<VisitRecord> open(std::int64_t room_id, std::string_view principal,
                           std::string_view display_name, common::TimePoint at) override;
  Result<void> close(std::int64_t room_id, std::string_view principal,
                     common::TimePoint at) override;
  Result<int> closeAll(std::int64_t room_id, common::TimePoint at) override;
  Result<std::vector<VisitRecord>> list(std::int64_t room_id) override;

 private:
  PgDatabase& db_;
};

}  // namespace kino::storage::postgres
