#include "kino/storage/sqlite_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <cstdint>
#include <mutex>

#include "sqlite_db.hpp"
#include "kino/common/mutex.hpp"
#include "kino/storage/migrations.hpp"

namespace kino::storage {
namespace {

using common::fromUnixMillis;
using common::toUnixMillis;
using sqlite::Statement;
using sqlite::toError;

std::string asciiLower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Error notFound(std::string_view what) {
  return Error::make(ErrorKind::kNotFound, "not_found", std::string(what) + " not found");
}

// One connection shared by all callers; `mu` serialises access (SQLite allows one writer anyway).
// Lock rule: every public method takes `mu` for its whole duration and calls no other public method.
struct Connection {
  common::Mutex mu;
  sqlite3* db KINO_PT_GUARDED_BY(mu) = nullptr;
  ~Connection() { sqlite3_close_v2(db); }
};

// Whether the fence's lease is still held by its holder with its token (success when unfenced).
// Called with the connection's mutex held, inside the guarded write's transaction: a lease changes
// hands only under that mutex, so it cannot change before the write commits.
Result<void> checkFence(sqlite3* db, const Fence& fence) {
  if (!fence.fenced()) return success();
  Statement s(db, "SELECT 1 FROM leases WHERE name = ? AND holder = ? AND token = ?");
  if (!s.ok()) return toError(db, s.prepareCode(), "prepare check lease");
  s.bind(1, fence.lease).bind(2, fence.holder).bind(3, fence.token);
  const int rc = s.step();
  if (rc == SQLITE_ROW) return success();
  if (rc != SQLITE_DONE) return toError(db, rc, "check lease");
  return Error::make(ErrorKind::kConflict, "lease_lost",
                     "lease " + fence.lease + " is no longer held by " + fence.holder);
}

// Runs `body` in a BEGIN IMMEDIATE transaction after checking `fence`; commits when it succeeds,
// rolls back otherwise. Called with the connection's mutex held.
template <class T, class Body>
Result<T> fencedTransaction(sqlite3* db, const Fence& fence, Body&& body) {
  if (auto r = sqlite::exec(db, "BEGIN IMMEDIATE"); !r) return r.error();
  Result<T> result = [&]() -> Result<T> {
    if (auto r = checkFence(db, fence); !r) return r.error();
    return body();
  }();
  if (!result) {
    (void)sqlite::exec(db, "ROLLBACK");
    return result;
  }
  if (auto r = sqlite::exec(db, "COMMIT"); !r) {
    (void)sqlite::exec(db, "ROLLBACK");
    return r.error();
  }
  return result;
}

UserRecord readUser(Statement& s) {
  return UserRecord{s.int64(0), s.text(1), s.text(2), s.text(3), fromUnixMillis(s.int64(4))};
}

class SqliteUsers final : public UserRepository {
 public:
  explicit SqliteUsers(Connection& c) : c_(c) {}

  Result<UserRecord> create(const NewUser& u) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db,
                "INSERT INTO users (username, username_key, display_name, password_hash, created_at)"
                " VALUES (?, ?, ?, ?, ?) RETURNING id");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare insert user");
    s.bind(1, u.username).bind(2, asciiLower(u.username)).bind(3, u.display_name);
    s.bind(4, u.password_hash).bind(5, toUnixMillis(u.created_at));
    const int rc = s.step();
    if (rc != SQLITE_ROW) {
      Error e = toError(c_.db, rc, "insert user");
      if (e.kind == ErrorKind::kConflict) {
        return Error::make(ErrorKind::kConflict, "username_taken", "That username is taken.",
                           "username");
      }
      return e;
    }
    return UserRecord{s.int64(0), u.username, u.display_name, u.password_hash, u.created_at};
  }

  Result<UserRecord> findByUsername(std::string_view username) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db,
                "SELECT id, username, display_name, password_hash, created_at FROM users"
                " WHERE username_key = ?");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare find user");
    s.bind(1, asciiLower(username));
    return readOne(s);
  }

  Result<UserRecord> findById(std::int64_t id) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db,
                "SELECT id, username, display_name, password_hash, created_at FROM users"
                " WHERE id = ?");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare find user");
    s.bind(1, id);
    return readOne(s);
  }

 private:
  Result<UserRecord> readOne(Statement& s) {
    const int rc = s.step();
    if (rc == SQLITE_ROW) return readUser(s);
    if (rc == SQLITE_DONE) return notFound("user");
    return toError(c_.db, rc, "find user");
  }

  Connection& c_;
};

class SqliteSessions final : public SessionRepository {
 public:
  explicit SqliteSessions(Connection& c) : c_(c) {}

  Result<void> create(const SessionRecord& r) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db,
                "INSERT INTO sessions (token_hash, user_id, created_at, expires_at)"
                " VALUES (?, ?, ?, ?)");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare insert session");
    s.bind(1, r.token_hash).bind(2, r.user_id).bind(3, toUnixMillis(r.created_at));
    s.bind(4, toUnixMillis(r.expires_at));
    const int rc = s.step();
    if (rc != SQLITE_DONE) return toError(c_.db, rc, "insert session");
    return success();
  }

  Result<SessionRecord> find(std::string_view token_hash) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db,
                "SELECT token_hash, user_id, created_at, expires_at FROM sessions"
                " WHERE token_hash = ?");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare find session");
    s.bind(1, token_hash);
    const int rc = s.step();
    if (rc == SQLITE_DONE) return notFound("session");
    if (rc != SQLITE_ROW) return toError(c_.db, rc, "find session");
    return SessionRecord{s.text(0), s.int64(1), fromUnixMillis(s.int64(2)),
                         fromUnixMillis(s.int64(3))};
  }

  Result<void> revoke(std::string_view token_hash) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db, "DELETE FROM sessions WHERE token_hash = ?");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare revoke session");
    s.bind(1, token_hash);
    const int rc = s.step();
    if (rc != SQLITE_DONE) return toError(c_.db, rc, "revoke session");
    return success();
  }

  Result<int> deleteExpired(common::TimePoint now) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db, "DELETE FROM sessions WHERE expires_at < ?");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare delete sessions");
    s.bind(1, toUnixMillis(now));
    const int rc = s.step();
    if (rc != SQLITE_DONE) return toError(c_.db, rc, "delete sessions");
    return sqlite3_changes(c_.db);
  }

 private:
  Connection& c_;
};

constexpr std::string_view kRoomColumns =
    "r.id, r.slug, r.owner_id, u.username, u.display_name, r.title, r.description, r.video_url,"
    " r.visibility, r.key_kind, r.key_hash, r.starts_at, r.duration_minutes, r.status,"
    " r.ended_reason, r.created_at, r.live_at, r.ended_at, r.last_active_at,"
    " COALESCE(r.asset_id, ''), r.control_policy, r.buffering_policy"
    " FROM rooms r JOIN users u ON u.id = r.owner_id";

std::optional<common::TimePoint> optionalTime(Statement& s, int col) {
  if (s.isNull(col)) return std::nullopt;
  return fromUnixMillis(s.int64(col));
}

void bindOptionalTime(Statement& s, int index, const std::optional<common::TimePoint>& t) {
  if (t) s.bind(index, toUnixMillis(*t));
  else s.bindNull(index);
}

RoomRecord readRoom(Statement& s) {
  RoomRecord r;
  r.id = s.int64(0);
  r.slug = s.text(1);
  r.owner_id = s.int64(2);
  r.owner_username = s.text(3);
  r.owner_display_name = s.text(4);
  r.title = s.text(5);
  r.description = s.text(6);
  r.video_url = s.text(7);
  r.visibility = s.text(8);
  r.key_kind = s.text(9);
  r.key_hash = s.text(10);
  r.starts_at = optionalTime(s, 11);
  r.duration_minutes = static_cast<int>(s.int64(12));
  r.status = s.text(13);
  r.ended_reason = s.text(14);
  r.created_at = fromUnixMillis(s.int64(15));
  r.live_at = optionalTime(s, 16);
  r.ended_at = optionalTime(s, 17);
  r.last_active_at = fromUnixMillis(s.int64(18));
  r.asset_id = s.text(19);
  r.control_policy = s.text(20);
  r.buffering_policy = s.text(21);
  return r;
}

class SqliteRooms final : public RoomRepository {
 public:
  explicit SqliteRooms(Connection& c) : c_(c) {}

  Result<RoomRecord> create(const NewRoom& n) override {
    std::int64_t id = 0;
    {
      common::MutexLock lock(c_.mu);
      Statement s(c_.db,
                  "INSERT INTO rooms (id, slug, owner_id, title, description, video_url, visibility,"
                  " key_kind, key_hash, starts_at, duration_minutes, status, created_at, live_at,"
                  " last_active_at) VALUES (1 + MAX((SELECT COALESCE(MAX(id), 0) FROM rooms),"
                  " (SELECT id FROM room_id_floor)), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                  " RETURNING id");
      if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare insert room");
      s.bind(1, n.slug).bind(2, n.owner_id).bind(3, n.title).bind(4, n.description);
      s.bind(5, n.video_url).bind(6, n.visibility).bind(7, n.key_kind).bind(8, n.key_hash);
      bindOptionalTime(s, 9, n.starts_at);
      s.bind(10, std::int64_t{n.duration_minutes}).bind(11, n.status);
      s.bind(12, toUnixMillis(n.created_at));
      if (n.status == "live") s.bind(13, toUnixMillis(n.created_at));
      else s.bindNull(13);
      s.bind(14, toUnixMillis(n.created_at));
      const int rc = s.step();
      if (rc != SQLITE_ROW) {
        Error e = toError(c_.db, rc, "insert room");
        if (e.kind == ErrorKind::kConflict &&
            std::string_view(sqlite3_errmsg(c_.db)).find("rooms.slug") != std::string_view::npos) {
          return Error::make(ErrorKind::kConflict, "slug_taken", "slug collision");
        }
        return e;
      }
      id = s.int64(0);
    }
    return findById(id);
  }

  Result<RoomRecord> findBySlug(std::string_view slug) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db, "SELECT " + std::string(kRoomColumns) + " WHERE r.slug = ?");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare find room");
    s.bind(1, slug);
    return readOne(s);
  }

  Result<std::vector<RoomRecord>> listPublic(std::string_view status, int limit) override {
    common::MutexLock lock(c_.mu);
    const std::string order = status == "scheduled" ? " ORDER BY r.starts_at ASC, r.id ASC"
                                                    : " ORDER BY r.id DESC";
    Statement s(c_.db, "SELECT " + std::string(kRoomColumns) +
                           " WHERE r.visibility = 'public' AND r.status = ?" + order + " LIMIT ?");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare list rooms");
    s.bind(1, status).bind(2, std::int64_t{limit});
    return readAll(s);
  }

  Result<std::vector<RoomRecord>> listOpen(int limit) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db, "SELECT " + std::string(kRoomColumns) +
                           " WHERE r.status IN ('scheduled', 'live') ORDER BY r.id LIMIT ?");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare list open rooms");
    s.bind(1, std::int64_t{limit});
    return readAll(s);
  }

  Result<std::vector<RoomRecord>> listEndedBefore(common::TimePoint cutoff, int limit) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db, "SELECT " + std::string(kRoomColumns) +
                           " WHERE r.status = 'ended' AND r.ended_at < ?"
                           " ORDER BY r.ended_at, r.id LIMIT ?");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare list ended rooms");
    s.bind(1, toUnixMillis(cutoff)).bind(2, std::int64_t{limit});
    return readAll(s);
  }

  Result<std::vector<std::string>> purge(std::int64_t room_id) override {
    common::MutexLock lock(c_.mu);
    if (auto r = sqlite::exec(c_.db, "BEGIN IMMEDIATE"); !r) return r.error();
    auto done = [&](Result<std::vector<std::string>> r) -> Result<std::vector<std::string>> {
      if (r && !sqlite::exec(c_.db, "COMMIT").ok()) r = toError(c_.db, SQLITE_ERROR, "commit purge");
      if (!r) (void)sqlite::exec(c_.db, "ROLLBACK");
      return r;
    };
    std::string asset;
    {
      Statement s(c_.db, "SELECT COALESCE(asset_id, '') FROM rooms WHERE id = ?");
      if (!s.ok()) return done(toError(c_.db, s.prepareCode(), "prepare purge room"));
      s.bind(1, room_id);
      const int rc = s.step();
      if (rc == SQLITE_DONE) return done(notFound("room"));
      if (rc != SQLITE_ROW) return done(toError(c_.db, rc, "purge room"));
      asset = s.text(0);
    }
    {
      Statement s(c_.db, "DELETE FROM rooms WHERE id = ?");  // the rest cascades
      if (!s.ok()) return done(toError(c_.db, s.prepareCode(), "prepare purge room"));
      s.bind(1, room_id);
      if (const int rc = s.step(); rc != SQLITE_DONE) return done(toError(c_.db, rc, "purge room"));
    }
    std::vector<std::string> gone;
    if (!asset.empty()) {
      Statement s(c_.db,
                  "DELETE FROM assets WHERE id = ? AND state IN ('ready', 'failed')"
                  " AND NOT EXISTS (SELECT 1 FROM rooms WHERE asset_id = ?)");
      if (!s.ok()) return done(toError(c_.db, s.prepareCode(), "prepare purge film"));
      s.bind(1, asset).bind(2, asset);
      if (const int rc = s.step(); rc != SQLITE_DONE) return done(toError(c_.db, rc, "purge film"));
      if (sqlite3_changes(c_.db) > 0) gone.push_back(asset);
    }
    return done(std::move(gone));
  }

  Result<void> update(const RoomRecord& r) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db,
                "UPDATE rooms SET title = ?, description = ?, starts_at = ?, duration_minutes = ?,"
                " status = ?, ended_reason = ?, live_at = ?, ended_at = ?, last_active_at = ?"
                " WHERE id = ?");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare update room");
    s.bind(1, r.title).bind(2, r.description);
    bindOptionalTime(s, 3, r.starts_at);
    s.bind(4, std::int64_t{r.duration_minutes}).bind(5, r.status).bind(6, r.ended_reason);
    bindOptionalTime(s, 7, r.live_at);
    bindOptionalTime(s, 8, r.ended_at);
    s.bind(9, toUnixMillis(r.last_active_at)).bind(10, r.id);
    const int rc = s.step();
    if (rc != SQLITE_DONE) return toError(c_.db, rc, "update room");
    if (sqlite3_changes(c_.db) == 0) return notFound("room");
    return success();
  }

  Result<std::vector<RoomRecord>> listForUser(std::int64_t user_id, std::string_view principal,
                                              int limit) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db, "SELECT " + std::string(kRoomColumns) +
                           " WHERE r.owner_id = ? OR EXISTS (SELECT 1 FROM room_grants g"
                           " WHERE g.room_id = r.id AND g.principal = ?) ORDER BY r.id DESC LIMIT ?");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare list rooms of a user");
    s.bind(1, user_id).bind(2, principal).bind(3, std::int64_t{limit});
    return readAll(s);
  }

  Result<void> setKey(std::int64_t room_id, std::string_view kind, std::string_view hash) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db, "UPDATE rooms SET key_kind = ?, key_hash = ? WHERE id = ?");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare set room key");
    s.bind(1, kind).bind(2, hash).bind(3, room_id);
    const int rc = s.step();
    if (rc != SQLITE_DONE) return toError(c_.db, rc, "set room key");
    if (sqlite3_changes(c_.db) == 0) return notFound("room");
    return success();
  }

  Result<void> putGrant(const GrantRecord& g) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db,
                "INSERT INTO room_grants (room_id, principal, display_name, created_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (room_id, principal)"
                " DO UPDATE SET display_name = excluded.display_name");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare put grant");
    s.bind(1, g.room_id).bind(2, g.principal).bind(3, g.display_name);
    s.bind(4, toUnixMillis(g.created_at));
    const int rc = s.step();
    if (rc != SQLITE_DONE) return toError(c_.db, rc, "put grant");
    return success();
  }

  Result<int> moveGrants(std::string_view from, std::string_view to) override {
    common::MutexLock lock(c_.mu);
    if (auto r = sqlite::exec(c_.db, "BEGIN IMMEDIATE"); !r) return r.error();
    auto fail = [&](int rc, const char* what) {
      (void)sqlite::exec(c_.db, "ROLLBACK");
      return toError(c_.db, rc, what);
    };
    // Rooms `to` already has a grant for keep theirs; the rest move.
    Statement move(c_.db, "UPDATE OR IGNORE room_grants SET principal = ? WHERE principal = ?");
    if (!move.ok()) return fail(move.prepareCode(), "prepare move grants");
    move.bind(1, to).bind(2, from);
    if (const int rc = move.step(); rc != SQLITE_DONE) return fail(rc, "move grants");
    const int moved = sqlite3_changes(c_.db);
    Statement rest(c_.db, "DELETE FROM room_grants WHERE principal = ?");
    if (!rest.ok()) return fail(rest.prepareCode(), "prepare drop grants");
    rest.bind(1, from);
    if (const int rc = rest.step(); rc != SQLITE_DONE) return fail(rc, "drop grants");
    if (auto r = sqlite::exec(c_.db, "COMMIT"); !r) return fail(SQLITE_ERROR, "commit move grants");
    return moved;
  }

  Result<std::vector<GrantRecord>> listGrants(std::int64_t room_id) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db,
                "SELECT room_id, principal, display_name, created_at FROM room_grants"
                " WHERE room_id = ? ORDER BY created_at, principal");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare list grants");
    s.bind(1, room_id);
    return sqlite::collect<GrantRecord>(
        c_.db, s,
        [](Statement& row) {
          return GrantRecord{row.int64(0), row.text(1), row.text(2), fromUnixMillis(row.int64(3))};
        },
        "list grants");
  }

  Result<GrantRecord> findGrant(std::int64_t room_id, std::string_view principal) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db,
                "SELECT room_id, principal, display_name, created_at FROM room_grants"
                " WHERE room_id = ? AND principal = ?");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare find grant");
    s.bind(1, room_id).bind(2, principal);
    const int rc = s.step();
    if (rc == SQLITE_DONE) return notFound("grant");
    if (rc != SQLITE_ROW) return toError(c_.db, rc, "find grant");
    return GrantRecord{s.int64(0), s.text(1), s.text(2), fromUnixMillis(s.int64(3))};
  }

 private:
  Result<RoomRecord> findById(std::int64_t id) {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db, "SELECT " + std::string(kRoomColumns) + " WHERE r.id = ?");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare find room");
    s.bind(1, id);
    return readOne(s);
  }

  Result<RoomRecord> readOne(Statement& s) {
    const int rc = s.step();
    if (rc == SQLITE_ROW) return readRoom(s);
    if (rc == SQLITE_DONE) return notFound("room");
    return toError(c_.db, rc, "find room");
  }

  Result<std::vector<RoomRecord>> readAll(Statement& s) {
    return sqlite::collect<RoomRecord>(c_.db, s, readRoom, "list rooms");
  }

  Connection& c_;
};

MessageRecord readMessage(Statement& s) {
  MessageRecord m;
  m.id = s.int64(0);
  m.room_id = s.int64(1);
  m.seq = s.int64(2);
  m.principal = s.text(3);
  m.author_name = s.text(4);
  m.client_id = s.text(5);
  m.text = s.text(6);
  m.sent_at = fromUnixMillis(s.int64(7));
  return m;
}

constexpr std::string_view kMessageColumns =
    "id, room_id, seq, principal, author_name, client_id, text, sent_at FROM messages";

class SqliteMessages final : public MessageRepository {
 public:
  explicit SqliteMessages(Connection& c) : c_(c) {}

  using MessageRepository::appendBatch;
  using MessageRepository::raiseSeqFloor;

  Result<std::vector<MessageRecord>> appendBatch(const std::vector<NewMessage>& batch,
                                                 const Fence& fence) override {
    common::MutexLock lock(c_.mu);
    return fencedTransaction<std::vector<MessageRecord>>(c_.db, fence,
                                                         [&] { return appendLocked(batch); });
  }

  Result<std::vector<MessageRecord>> page(std::int64_t room_id, std::optional<std::int64_t> before,
                                          int limit) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db, "SELECT * FROM (SELECT " + std::string(kMessageColumns) +
                           " WHERE room_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?) ORDER BY seq");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare message page");
    s.bind(1, room_id).bind(2, before.value_or(INT64_MAX)).bind(3, std::int64_t{limit});
    return sqlite::collect<MessageRecord>(c_.db, s, readMessage, "message page");
  }

  Result<std::int64_t> lastSeq(std::int64_t room_id) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db, "SELECT COALESCE(MAX(seq), 0) FROM messages WHERE room_id = ?");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare last seq");
    s.bind(1, room_id);
    if (const int rc = s.step(); rc != SQLITE_ROW) return toError(c_.db, rc, "last seq");
    return s.int64(0);
  }

  Result<std::int64_t> seqFloor(std::int64_t room_id) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db, "SELECT seq_floor FROM rooms WHERE id = ?");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare seq floor");
    s.bind(1, room_id);
    const int rc = s.step();
    if (rc == SQLITE_DONE) return notFound("room");
    if (rc != SQLITE_ROW) return toError(c_.db, rc, "seq floor");
    return s.int64(0);
  }

  Result<void> raiseSeqFloor(std::int64_t room_id, std::int64_t floor,
                             const Fence& fence) override {
    common::MutexLock lock(c_.mu);
    return fencedTransaction<void>(c_.db, fence, [&]() -> Result<void> {
      Statement s(c_.db, "UPDATE rooms SET seq_floor = MAX(seq_floor, ?) WHERE id = ?");
      if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare raise seq floor");
      s.bind(1, floor).bind(2, room_id);
      const int rc = s.step();
      if (rc != SQLITE_DONE) return toError(c_.db, rc, "raise seq floor");
      return success();
    });
  }

 private:
  Result<std::vector<MessageRecord>> appendLocked(const std::vector<NewMessage>& batch) {
    std::vector<MessageRecord> out;
    out.reserve(batch.size());
    for (const NewMessage& n : batch) {
      Statement find(c_.db, "SELECT " + std::string(kMessageColumns) +
                                " WHERE room_id = ? AND principal = ? AND client_id = ?");
      if (!find.ok()) return toError(c_.db, find.prepareCode(), "prepare find message");
      find.bind(1, n.room_id).bind(2, n.principal).bind(3, n.client_id);
      const int frc = find.step();
      if (frc == SQLITE_ROW) {
        MessageRecord existing = readMessage(find);
        existing.duplicate = true;
        out.push_back(std::move(existing));
        continue;
      }
      if (frc != SQLITE_DONE) return toError(c_.db, frc, "find message");
      Statement ins(c_.db,
                    "INSERT INTO messages (room_id, seq, principal, author_name, client_id, text,"
                    " sent_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id");
      if (!ins.ok()) return toError(c_.db, ins.prepareCode(), "prepare insert message");
      ins.bind(1, n.room_id).bind(2, n.seq).bind(3, n.principal).bind(4, n.author_name);
      ins.bind(5, n.client_id).bind(6, n.text).bind(7, toUnixMillis(n.sent_at));
      const int rc = ins.step();
      if (rc != SQLITE_ROW) return toError(c_.db, rc, "insert message");
      out.push_back(MessageRecord{ins.int64(0), n.room_id, n.seq, n.principal, n.author_name,
                                  n.client_id, n.text, n.sent_at, false});
    }
    return out;
  }

  Connection& c_;
};

constexpr std::string_view kAssetColumns =
    "id, source_url, state, percent, eta_s, error, playable, duration_s, history, attempts,"
    " created_at, updated_at FROM assets";

AssetRecord readAsset(Statement& s) {
  AssetRecord a;
  a.id = s.text(0);
  a.source_url = s.text(1);
  a.state = s.text(2);
  a.percent = s.real(3);
  if (!s.isNull(4)) a.eta_s = static_cast<int>(s.int64(4));
  a.error = s.text(5);
  a.playable = s.int64(6) != 0;
  if (!s.isNull(7)) a.duration_s = s.real(7);
  a.history = s.text(8);
  a.attempts = static_cast<int>(s.int64(9));
  a.created_at = fromUnixMillis(s.int64(10));
  a.updated_at = fromUnixMillis(s.int64(11));
  return a;
}

class SqliteAssets final : public AssetRepository {
 public:
  explicit SqliteAssets(Connection& c) : c_(c) {}

  Result<void> create(const AssetRecord& a) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db,
                "INSERT INTO assets (id, source_url, state, percent, history, attempts, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare insert asset");
    s.bind(1, a.id).bind(2, a.source_url).bind(3, a.state).bindReal(4, a.percent);
    s.bind(5, a.history).bind(6, std::int64_t{a.attempts}).bind(7, toUnixMillis(a.created_at));
    s.bind(8, toUnixMillis(a.updated_at));
    const int rc = s.step();
    if (rc != SQLITE_DONE) return toError(c_.db, rc, "insert asset");
    return success();
  }

  Result<AssetRecord> find(std::string_view id) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db, "SELECT " + std::string(kAssetColumns) + " WHERE id = ?");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare find asset");
    s.bind(1, id);
    return readOne(s);
  }

  Result<AssetRecord> findReusable(std::string_view url) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db, "SELECT " + std::string(kAssetColumns) +
                           " WHERE source_url = ? AND state <> 'failed'"
                           " ORDER BY created_at DESC LIMIT 1");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare find asset");
    s.bind(1, url);
    return readOne(s);
  }

  using AssetRepository::update;

  Result<void> update(const AssetRecord& a, const Fence& fence) override {
    common::MutexLock lock(c_.mu);
    return fencedTransaction<void>(c_.db, fence, [&]() -> Result<void> {
      Statement s(c_.db,
                  "UPDATE assets SET state = ?, percent = ?, eta_s = ?, error = ?, playable = ?,"
                  " duration_s = ?, history = ?, attempts = ?, updated_at = ? WHERE id = ?");
      if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare update asset");
      s.bind(1, a.state).bindReal(2, a.percent);
      if (a.eta_s) s.bind(3, std::int64_t{*a.eta_s});
      else s.bindNull(3);
      s.bind(4, a.error).bind(5, std::int64_t{a.playable ? 1 : 0});
      if (a.duration_s) s.bindReal(6, *a.duration_s);
      else s.bindNull(6);
      s.bind(7, a.history).bind(8, std::int64_t{a.attempts}).bind(9, toUnixMillis(a.updated_at));
      s.bind(10, a.id);
      const int rc = s.step();
      if (rc != SQLITE_DONE) return toError(c_.db, rc, "update asset");
      if (sqlite3_changes(c_.db) == 0) return notFound("asset");
      return success();
    });
  }

  Result<std::vector<AssetRecord>> listUnfinished() override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db, "SELECT " + std::string(kAssetColumns) +
                           " WHERE state NOT IN ('ready', 'failed') ORDER BY created_at");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare list assets");
    return sqlite::collect<AssetRecord>(c_.db, s, readAsset, "list assets");
  }

  Result<bool> usedByPublicRoom(std::string_view id) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db,
                "SELECT EXISTS (SELECT 1 FROM rooms WHERE asset_id = ? AND visibility = 'public')");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare asset visibility");
    s.bind(1, id);
    if (const int rc = s.step(); rc != SQLITE_ROW) return toError(c_.db, rc, "asset visibility");
    return s.int64(0) != 0;
  }

  Result<void> attachToRoom(std::int64_t room_id, std::string_view asset_id) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db, "UPDATE rooms SET asset_id = ? WHERE id = ?");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare attach asset");
    s.bind(1, asset_id).bind(2, room_id);
    const int rc = s.step();
    if (rc != SQLITE_DONE) return toError(c_.db, rc, "attach asset");
    return success();
  }

 private:
  Result<AssetRecord> readOne(Statement& s) {
    const int rc = s.step();
    if (rc == SQLITE_ROW) return readAsset(s);
    if (rc == SQLITE_DONE) return notFound("asset");
    return toError(c_.db, rc, "find asset");
  }

  Connection& c_;
};

constexpr std::string_view kPlaybackColumns =
    "room_id, seq, action, playing, position_s, rate, volume, muted, at_server_ms, by_principal,"
    " by_name, created_at FROM playback_events";

PlaybackEventRecord readPlayback(Statement& s) {
  PlaybackEventRecord e;
  e.room_id = s.int64(0);
  e.seq = s.int64(1);
  e.action = s.text(2);
  e.playing = s.int64(3) != 0;
  e.position_s = s.real(4);
  e.rate = s.real(5);
  e.volume = s.real(6);
  e.muted = s.int64(7) != 0;
  e.at_server_ms = s.int64(8);
  e.by_principal = s.text(9);
  e.by_name = s.text(10);
  e.created_at = fromUnixMillis(s.int64(11));
  return e;
}

class SqlitePlayback final : public PlaybackRepository {
 public:
  explicit SqlitePlayback(Connection& c) : c_(c) {}

  using PlaybackRepository::append;

  Result<void> append(const std::vector<PlaybackEventRecord>& events, const Fence& fence) override {
    common::MutexLock lock(c_.mu);
    return fencedTransaction<void>(c_.db, fence, [&]() -> Result<void> {
      for (const auto& e : events) {
        Statement s(c_.db,
                    "INSERT OR IGNORE INTO playback_events (room_id, seq, action, playing,"
                    " position_s, rate, volume, muted, at_server_ms, by_principal, by_name,"
                    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare playback event");
        s.bind(1, e.room_id).bind(2, e.seq).bind(3, e.action).bind(4, std::int64_t{e.playing});
        s.bindReal(5, e.position_s).bindReal(6, e.rate).bindReal(7, e.volume);
        s.bind(8, std::int64_t{e.muted}).bind(9, e.at_server_ms).bind(10, e.by_principal);
        s.bind(11, e.by_name).bind(12, toUnixMillis(e.created_at));
        if (const int rc = s.step(); rc != SQLITE_DONE) {
          return toError(c_.db, rc, "insert playback event");
        }
      }
      return success();
    });
  }

  Result<PlaybackEventRecord> last(std::int64_t room_id) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db, "SELECT " + std::string(kPlaybackColumns) +
                           " WHERE room_id = ? ORDER BY seq DESC LIMIT 1");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare last playback");
    s.bind(1, room_id);
    const int rc = s.step();
    if (rc == SQLITE_DONE) return notFound("playback event");
    if (rc != SQLITE_ROW) return toError(c_.db, rc, "last playback");
    return readPlayback(s);
  }

  Result<std::vector<PlaybackEventRecord>> all(std::int64_t room_id) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db, "SELECT " + std::string(kPlaybackColumns) + " WHERE room_id = ? ORDER BY seq");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare playback events");
    s.bind(1, room_id);
    return sqlite::collect<PlaybackEventRecord>(c_.db, s, readPlayback, "playback events");
  }

  Result<void> setPolicy(std::int64_t room_id, std::string_view control,
                         std::string_view buffering) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db, "UPDATE rooms SET control_policy = ?, buffering_policy = ? WHERE id = ?");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare set policy");
    s.bind(1, control).bind(2, buffering).bind(3, room_id);
    if (const int rc = s.step(); rc != SQLITE_DONE) return toError(c_.db, rc, "set policy");
    return success();
  }

 private:
  Connection& c_;
};

// One process owns a SQLite file, so a lease here is only ever contended by that process's threads;
// the connection's mutex makes acquire atomic.
class SqliteLeases final : public LeaseRepository {
 public:
  explicit SqliteLeases(Connection& c) : c_(c) {}

  Result<LeaseRecord> acquire(std::string_view name, std::string_view holder,
                              common::TimePoint now, std::chrono::milliseconds ttl) override {
    common::MutexLock lock(c_.mu);
    auto current = findLocked(name);
    if (!current && current.error().kind != ErrorKind::kNotFound) return current.error();
    const std::int64_t now_ms = toUnixMillis(now);
    const std::int64_t until = now_ms + ttl.count();
    if (current) {
      const bool live = toUnixMillis(current->expires_at) > now_ms;
      if (live && current->holder != holder) return current;  // someone else's: unchanged
      const std::int64_t token = live ? current->token : current->token + 1;
      Statement s(c_.db, "UPDATE leases SET holder = ?, token = ?, expires_at = ? WHERE name = ?");
      if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare renew lease");
      s.bind(1, holder).bind(2, token).bind(3, until).bind(4, name);
      if (const int rc = s.step(); rc != SQLITE_DONE) return toError(c_.db, rc, "renew lease");
      return LeaseRecord{std::string(name), std::string(holder), token, fromUnixMillis(until)};
    }
    Statement s(c_.db, "INSERT INTO leases (name, holder, token, expires_at) VALUES (?, ?, 1, ?)");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare take lease");
    s.bind(1, name).bind(2, holder).bind(3, until);
    if (const int rc = s.step(); rc != SQLITE_DONE) return toError(c_.db, rc, "take lease");
    return LeaseRecord{std::string(name), std::string(holder), 1, fromUnixMillis(until)};
  }

  Result<LeaseRecord> renew(std::string_view name, std::string_view holder, std::int64_t token,
                            common::TimePoint now, std::chrono::milliseconds ttl) override {
    common::MutexLock lock(c_.mu);
    auto current = findLocked(name);
    if (!current) return current.error();
    const bool released = toUnixMillis(current->expires_at) == 0;
    if (current->holder != holder || current->token != token || released) return current;
    const std::int64_t until = std::max(toUnixMillis(now) + ttl.count(),
                                        toUnixMillis(current->expires_at));
    Statement s(c_.db, "UPDATE leases SET expires_at = ? WHERE name = ?");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare renew lease");
    s.bind(1, until).bind(2, name);
    if (const int rc = s.step(); rc != SQLITE_DONE) return toError(c_.db, rc, "renew lease");
    current->expires_at = fromUnixMillis(until);
    return current;
  }

  Result<void> release(std::string_view name, std::string_view holder,
                       std::int64_t token) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db,
                "UPDATE leases SET expires_at = 0 WHERE name = ? AND holder = ? AND token = ?");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare release lease");
    s.bind(1, name).bind(2, holder).bind(3, token);
    if (const int rc = s.step(); rc != SQLITE_DONE) return toError(c_.db, rc, "release lease");
    return success();
  }

  Result<LeaseRecord> find(std::string_view name) override {
    common::MutexLock lock(c_.mu);
    return findLocked(name);
  }

  Result<std::vector<LeaseRecord>> heldBy(std::string_view holder, std::string_view prefix,
                                          common::TimePoint now) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db,
                "SELECT name, holder, token, expires_at FROM leases"
                " WHERE holder = ? AND expires_at > ? AND substr(name, 1, ?) = ? ORDER BY name");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare leases held");
    s.bind(1, holder).bind(2, toUnixMillis(now)).bind(3, static_cast<std::int64_t>(prefix.size()));
    s.bind(4, prefix);
    std::vector<LeaseRecord> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) out.push_back(read(s));
    if (rc != SQLITE_DONE) return toError(c_.db, rc, "leases held");
    return out;
  }

 private:
  static LeaseRecord read(Statement& s) {
    return LeaseRecord{s.text(0), s.text(1), s.int64(2), fromUnixMillis(s.int64(3))};
  }

  Result<LeaseRecord> findLocked(std::string_view name) KINO_REQUIRES(c_.mu) {
    Statement s(c_.db, "SELECT name, holder, token, expires_at FROM leases WHERE name = ?");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare find lease");
    s.bind(1, name);
    const int rc = s.step();
    if (rc == SQLITE_DONE) return notFound("lease");
    if (rc != SQLITE_ROW) return toError(c_.db, rc, "find lease");
    return read(s);
  }

  Connection& c_;
};

MediaPlacementRecord readPlacement(Statement& s) {
  return MediaPlacementRecord{s.int64(0), s.text(1), fromUnixMillis(s.int64(2))};
}

class SqliteMediaPlacements final : public MediaPlacementRepository {
 public:
  explicit SqliteMediaPlacements(Connection& c) : c_(c) {}

  Result<MediaPlacementRecord> place(std::int64_t room_id, std::string_view janus_node,
                                     common::TimePoint now) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db,
                "INSERT INTO media_placements (room_id, janus_node, placed_at) VALUES (?, ?, ?)"
                " ON CONFLICT (room_id) DO NOTHING");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare place call");
    s.bind(1, room_id).bind(2, janus_node).bind(3, toUnixMillis(now));
    if (const int rc = s.step(); rc != SQLITE_DONE) return toError(c_.db, rc, "place call");
    return findLocked(room_id);
  }

  Result<MediaPlacementRecord> move(std::int64_t room_id, std::string_view from,
                                    std::string_view to, common::TimePoint now) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db,
                "INSERT INTO media_placements (room_id, janus_node, placed_at) VALUES (?, ?, ?)"
                " ON CONFLICT (room_id) DO UPDATE SET janus_node = excluded.janus_node,"
                " placed_at = excluded.placed_at WHERE media_placements.janus_node = ?");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare move call");
    s.bind(1, room_id).bind(2, to).bind(3, toUnixMillis(now)).bind(4, from);
    if (const int rc = s.step(); rc != SQLITE_DONE) return toError(c_.db, rc, "move call");
    return findLocked(room_id);
  }

  Result<void> forget(std::int64_t room_id, std::string_view janus_node) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db, "DELETE FROM media_placements WHERE room_id = ? AND janus_node = ?");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare forget call");
    s.bind(1, room_id).bind(2, janus_node);
    if (const int rc = s.step(); rc != SQLITE_DONE) return toError(c_.db, rc, "forget call");
    return success();
  }

  Result<MediaPlacementRecord> find(std::int64_t room_id) override {
    common::MutexLock lock(c_.mu);
    return findLocked(room_id);
  }

 private:
  Result<MediaPlacementRecord> findLocked(std::int64_t room_id) KINO_REQUIRES(c_.mu) {
    Statement s(c_.db,
                "SELECT room_id, janus_node, placed_at FROM media_placements WHERE room_id = ?");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare find call");
    s.bind(1, room_id);
    const int rc = s.step();
    if (rc == SQLITE_DONE) return notFound("media placement");
    if (rc != SQLITE_ROW) return toError(c_.db, rc, "find call");
    return readPlacement(s);
  }

  Connection& c_;
};

// One process owns a SQLite file: the connection's mutex makes consume atomic.
class SqliteRateEvents final : public RateEventRepository {
 public:
  explicit SqliteRateEvents(Connection& c) : c_(c) {}

  Result<RateWindowCount> consume(std::string_view key, std::int64_t max_events,
                                  std::chrono::milliseconds window, common::TimePoint now,
                                  bool record) override {
    common::MutexLock lock(c_.mu);
    const std::int64_t now_ms = toUnixMillis(now);
    return fencedTransaction<RateWindowCount>(c_.db, Fence{}, [&]() -> Result<RateWindowCount> {
      Statement drop(c_.db, "DELETE FROM rate_events WHERE key = ? AND at_ms <= ?");
      if (!drop.ok()) return toError(c_.db, drop.prepareCode(), "prepare expire rate events");
      drop.bind(1, key).bind(2, now_ms - window.count());
      if (const int rc = drop.step(); rc != SQLITE_DONE) {
        return toError(c_.db, rc, "expire rate events");
      }
      Statement count(c_.db, "SELECT count(*) FROM rate_events WHERE key = ?");
      if (!count.ok()) return toError(c_.db, count.prepareCode(), "prepare count rate events");
      count.bind(1, key);
      if (const int rc = count.step(); rc != SQLITE_ROW) {
        return toError(c_.db, rc, "count rate events");
      }
      RateWindowCount out{count.int64(0), std::nullopt};
      if (out.count >= max_events) {
        Statement limiting(c_.db,
                           "SELECT at_ms FROM rate_events WHERE key = ?"
                           " ORDER BY at_ms DESC LIMIT 1 OFFSET ?");
        if (!limiting.ok()) return toError(c_.db, limiting.prepareCode(), "prepare rate window");
        limiting.bind(1, key).bind(2, std::max<std::int64_t>(max_events, 1) - 1);
        const int rc = limiting.step();
        if (rc == SQLITE_ROW) out.limiting_event = fromUnixMillis(limiting.int64(0));
        else if (rc != SQLITE_DONE) return toError(c_.db, rc, "rate window");
        return out;
      }
      if (record) {
        Statement add(c_.db, "INSERT INTO rate_events (key, at_ms) VALUES (?, ?)");
        if (!add.ok()) return toError(c_.db, add.prepareCode(), "prepare add rate event");
        add.bind(1, key).bind(2, now_ms);
        if (const int rc = add.step(); rc != SQLITE_DONE) return toError(c_.db, rc, "add rate event");
      }
      return out;
    });
  }

  Result<void> reset(std::string_view key) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db, "DELETE FROM rate_events WHERE key = ?");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare reset rate events");
    s.bind(1, key);
    if (const int rc = s.step(); rc != SQLITE_DONE) return toError(c_.db, rc, "reset rate events");
    return success();
  }

  Result<int> purgeBefore(common::TimePoint before) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db, "DELETE FROM rate_events WHERE at_ms < ?");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare purge rate events");
    s.bind(1, toUnixMillis(before));
    if (const int rc = s.step(); rc != SQLITE_DONE) return toError(c_.db, rc, "purge rate events");
    return sqlite3_changes(c_.db);
  }

 private:
  Connection& c_;
};

VisitRecord readVisit(Statement& s) {
  return VisitRecord{
      s.int64(0), s.int64(1), s.text(2), s.text(3), fromUnixMillis(s.int64(4)), optionalTime(s, 5)};
}

constexpr std::string_view kVisitColumns =
    "id, room_id, principal, display_name, joined_at, left_at FROM room_visits";

class SqliteVisits final : public VisitRepository {
 public:
  explicit SqliteVisits(Connection& c) : c_(c) {}

  Result<VisitRecord> open(std::int64_t room_id, std::string_view principal,
                           std::string_view display_name, common::TimePoint at) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db,
                "INSERT INTO room_visits (room_id, principal, display_name, joined_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (room_id, principal) WHERE left_at IS NULL"
                " DO UPDATE SET display_name = excluded.display_name");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare open visit");
    s.bind(1, room_id).bind(2, principal).bind(3, display_name).bind(4, toUnixMillis(at));
    if (const int rc = s.step(); rc != SQLITE_DONE) return toError(c_.db, rc, "open visit");
    Statement found(c_.db, "SELECT " + std::string(kVisitColumns) +
                               " WHERE room_id = ? AND principal = ? AND left_at IS NULL");
    if (!found.ok()) return toError(c_.db, found.prepareCode(), "prepare find visit");
    found.bind(1, room_id).bind(2, principal);
    const int rc = found.step();
    if (rc != SQLITE_ROW) return toError(c_.db, rc, "find visit");
    return readVisit(found);
  }

  Result<void> close(std::int64_t room_id, std::string_view principal,
                     common::TimePoint at) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db,
                "UPDATE room_visits SET left_at = MAX(joined_at, ?)"
                " WHERE room_id = ? AND principal = ? AND left_at IS NULL");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare close visit");
    s.bind(1, toUnixMillis(at)).bind(2, room_id).bind(3, principal);
    if (const int rc = s.step(); rc != SQLITE_DONE) return toError(c_.db, rc, "close visit");
    return success();
  }

  Result<int> closeAll(std::int64_t room_id, common::TimePoint at) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db,
                "UPDATE room_visits SET left_at = MAX(joined_at, ?)"
                " WHERE room_id = ? AND left_at IS NULL");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare close visits");
    s.bind(1, toUnixMillis(at)).bind(2, room_id);
    if (const int rc = s.step(); rc != SQLITE_DONE) return toError(c_.db, rc, "close visits");
    return sqlite3_changes(c_.db);
  }

  Result<std::vector<VisitRecord>> list(std::int64_t room_id) override {
    common::MutexLock lock(c_.mu);
    Statement s(c_.db, "SELECT " + std::string(kVisitColumns) +
                           " WHERE room_id = ? ORDER BY joined_at, id");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare list visits");
    s.bind(1, room_id);
    return sqlite::collect<VisitRecord>(c_.db, s, readVisit, "list visits");
  }

 private:
  Connection& c_;
};

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(std::unique_ptr<Connection> c)
      : c_(std::move(c)),
        users_(*c_),
        sessions_(*c_),
        rooms_(*c_),
        messages_(*c_),
        assets_(*c_),
        playback_(*c_),
        leases_(*c_),
        placements_(*c_),
        rate_events_(*c_),
        visits_(*c_) {}

  UserRepository& users() override { return users_; }
  SessionRepository& sessions() override { return sessions_; }
  RoomRepository& rooms() override { return rooms_; }
  MessageRepository& messages() override { return messages_; }
  AssetRepository& assets() override { return assets_; }
  PlaybackRepository& playback() override { return playback_; }
  LeaseRepository& leases() override { return leases_; }
  MediaPlacementRepository& mediaPlacements() override { return placements_; }
  RateEventRepository& rateEvents() override { return rate_events_; }
  VisitRepository& visits() override { return visits_; }

  Result<void> ping() override {
    common::MutexLock lock(c_->mu);
    Statement s(c_->db, "SELECT 1");
    if (!s.ok()) return toError(c_->db, s.prepareCode(), "ping");
    const int rc = s.step();
    if (rc != SQLITE_ROW) return toError(c_->db, rc, "ping");
    return success();
  }

  Result<int> migrate() override {
    common::MutexLock lock(c_->mu);
    Statement v(c_->db, "PRAGMA user_version");
    if (!v.ok() || v.step() != SQLITE_ROW) return toError(c_->db, v.prepareCode(), "user_version");
    const auto all = migrations();
    int version = static_cast<int>(v.int64(0));
    if (version > static_cast<int>(all.size())) {
      return Error::make(ErrorKind::kInternal, "schema_too_new",
                         "the database was written by a newer kino (schema " +
                             std::to_string(version) + ")");
    }
    for (; version < static_cast<int>(all.size()); ++version) {
      const Migration& m = all[static_cast<std::size_t>(version)];
      std::string sql = "BEGIN IMMEDIATE;\n" + std::string(sqlFor(m, Engine::kSqlite)) +
                        "\nPRAGMA user_version = " + std::to_string(m.version) + ";\nCOMMIT;";
      if (auto r = sqlite::exec(c_->db, sql); !r) {
        (void)sqlite::exec(c_->db, "ROLLBACK");
        return r.error();
      }
    }
    return version;
  }

  Result<void> maintain(common::TimePoint /*now*/) override { return success(); }

 private:
  std::unique_ptr<Connection> c_;
  SqliteUsers users_;
  SqliteSessions sessions_;
  SqliteRooms rooms_;
  SqliteMessages messages_;
  SqliteAssets assets_;
  SqlitePlayback playback_;
  SqliteLeases leases_;
  SqliteMediaPlacements placements_;
  SqliteRateEvents rate_events_;
  SqliteVisits visits_;
};

}  // namespace

Result<std::unique_ptr<Store>> openSqliteStore(const std::filesystem::path& path) {
  if (path != ":memory:") {
    // Only Kino's own user may read the database (password hashes, sessions, chat). SQLite gives
    // its -wal and -shm files the mode of the database file.
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
      return Error::make(ErrorKind::kUnavailable, "store_open",
                         "cannot open " + path.string() + ": " + errnoText(errno));
    }
    const int mode_rc = ::fchmod(fd, 0600);
    ::close(fd);
    if (mode_rc != 0) {
      return Error::make(ErrorKind::kUnavailable, "store_open",
                         "cannot make " + path.string() + " private: " + errnoText(errno));
    }
  }
  auto c = std::make_unique<Connection>();
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &c->db, flags, nullptr);
  if (rc != SQLITE_OK) return sqlite::toError(c->db, rc, "open " + path.string());
  sqlite3_busy_timeout(c->db, 5000);
  const char* pragmas = path == ":memory:"
                            ? "PRAGMA foreign_keys = ON;"
                            : "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                              " PRAGMA foreign_keys = ON;";
  if (auto r = sqlite::exec(c->db, pragmas); !r) return r.error();
  return std::unique_ptr<Store>(std::make_unique<SqliteStore>(std::move(c)));
}

}  // namespace kino::storage
