// Rooms and access grants on PostgreSQL.
#include "pg_repositories.hpp"

namespace kino::storage::postgres {

namespace {

constexpr const char* kRoomColumns =
    "SELECT r.id, r.slug, r.owner_id, u.username, u.display_name, r.title, r.description,"
    " r.video_url, r.visibility, r.key_kind, r.key_hash, r.starts_at, r.duration_minutes,"
    " r.status, r.ended_reason, r.created_at, r.live_at, r.ended_at, r.last_active_at,"
    " COALESCE(r.asset_id, ''), r.control_policy, r.buffering_policy"
    " FROM rooms r JOIN users u ON u.id = r.owner_id";

RoomRecord readRoom(const pqxx::row& s) {
  RoomRecord r;
  r.id = int64(s[0]);
  r.slug = s[1].as<std::string>();
  r.owner_id = int64(s[2]);
  r.owner_username = s[3].as<std::string>();
  r.owner_display_name = s[4].as<std::string>();
  r.title = s[5].as<std::string>();
  r.description = s[6].as<std::string>();
  r.video_url = s[7].as<std::string>();
  r.visibility = s[8].as<std::string>();
  r.key_kind = s[9].as<std::string>();
  r.key_hash = s[10].as<std::string>();
  r.starts_at = optionalTimePoint(s[11]);
  r.duration_minutes = s[12].as<int>();
  r.status = s[13].as<std::string>();
  r.ended_reason = s[14].as<std::string>();
  r.created_at = timePoint(s[15]);
  r.live_at = optionalTimePoint(s[16]);
  r.ended_at = optionalTimePoint(s[17]);
  r.last_active_at = timePoint(s[18]);
  r.asset_id = s[19].as<std::string>();
  r.control_policy = s[20].as<std::string>();
  r.buffering_policy = s[21].as<std::string>();
  return r;
}

Result<RoomRecord> oneRoom(const pqxx::result& rows) {
  if (rows.empty()) return notFound("room");
  return readRoom(rows[0]);
}

std::vector<RoomRecord> allRooms(const pqxx::result& rows) {
  std::vector<RoomRecord> out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(readRoom(row));
  return out;
}

}  // namespace

Result<RoomRecord> PgRooms::create(const NewRoom& n) {
  int attempt = 0;
  return db_.transact<RoomRecord>("insert room", [&](pqxx::work& tx) -> Result<RoomRecord> {
    const bool retry = attempt++ > 0;
    const std::int64_t created = common::toUnixMillis(n.created_at);
    const std::optional<std::int64_t> live =
        n.status == "live" ? std::optional<std::int64_t>(created) : std::nullopt;
    auto rows = tx.exec_params(
        "INSERT INTO rooms (slug, owner_id, title, description, video_url, visibility, key_kind,"
        " key_hash, starts_at, duration_minutes, status, created_at, live_at, last_active_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $12)"
        " ON CONFLICT (slug) DO NOTHING RETURNING id",
        n.slug, n.owner_id, n.title, n.description, n.video_url, n.visibility, n.key_kind,
        n.key_hash, optionalMillis(n.starts_at), n.duration_minutes, n.status, created, live);
    if (rows.empty() && retry) {
      // An earlier attempt whose commit reply was lost may have stored this very room.
      rows = tx.exec_params(
          "SELECT id FROM rooms WHERE slug = $1 AND owner_id = $2 AND created_at = $3", n.slug,
          n.owner_id, created);
    }
    if (rows.empty()) return Error::make(ErrorKind::kConflict, "slug_taken", "slug collision");
    return oneRoom(
        tx.exec_params(std::string(kRoomColumns) + " WHERE r.id = $1", int64(rows[0][0])));
  });
}

Result<RoomRecord> PgRooms::findBySlug(std::string_view slug) {
  return db_.transact<RoomRecord>("find room", [&](pqxx::work& tx) {
    return oneRoom(
        tx.exec_params(std::string(kRoomColumns) + " WHERE r.slug = $1", std::string(slug)));
  });
}

Result<std::vector<RoomRecord>> PgRooms::listPublic(std::string_view status, int limit) {
  const std::string order =
      status == "scheduled" ? " ORDER BY r.starts_at ASC, r.id ASC" : " ORDER BY r.id DESC";
  return db_.transact<std::vector<RoomRecord>>(
      "list rooms", [&](pqxx::work& tx) -> Result<std::vector<RoomRecord>> {
        return allRooms(tx.exec_params(std::string(kRoomColumns) +
                                           " WHERE r.visibility = 'public' AND r.status = $1" +
                                           order + " LIMIT $2",
                                       std::string(status), limit));
      });
}

Result<std::vector<RoomRecord>> PgRooms::listOpen(int limit) {
  return db_.transact<std::vector<RoomRecord>>(
      "list open rooms", [&](pqxx::work& tx) -> Result<std::vector<RoomRecord>> {
        return allRooms(
            tx.exec_params(std::string(kRoomColumns) +
                               " WHERE r.status IN ('scheduled', 'live') ORDER BY r.id LIMIT $1",
                           limit));
      });
}

Result<std::vector<RoomRecord>> PgRooms::listEndedBefore(common::TimePoint cutoff, int limit) {
  return db_.transact<std::vector<RoomRecord>>(
      "list ended rooms", [&](pqxx::work& tx) -> Result<std::vector<RoomRecord>> {
        return allRooms(tx.exec_params(std::string(kRoomColumns) +
                                           " WHERE r.status = 'ended' AND r.ended_at < $1"
                                           " ORDER BY r.ended_at, r.id LIMIT $2",
                                       common::toUnixMillis(cutoff), limit));
      });
}

Result<std::vector<std::string>> PgRooms::purge(std::int64_t room_id) {
  // Safe to run again after a lost commit reply: the room is gone then (kNotFound), and a film
  // left behind is removed by the next purge of a room that used it — or kept, which loses nothing.
  return db_.transact<std::vector<std::string>>(
      "purge room", [&](pqxx::work& tx) -> Result<std::vector<std::string>> {
        auto room = tx.exec_params("DELETE FROM rooms WHERE id = $1 RETURNING COALESCE(asset_id, '')",
                                   room_id);  // the rest cascades
        if (room.empty()) return notFound("room");
        const std::string asset = room[0][0].as<std::string>();
        std::vector<std::string> gone;
        if (!asset.empty()) {
          auto film = tx.exec_params(
              "DELETE FROM assets WHERE id = $1 AND state IN ('ready', 'failed')"
              " AND NOT EXISTS (SELECT 1 FROM rooms WHERE asset_id = $1) RETURNING id",
              asset);
          if (!film.empty()) gone.push_back(asset);
        }
        return gone;
      });
}

Result<void> PgRooms::update(const RoomRecord& r) {
  return db_.transact<void>("update room", [&](pqxx::work& tx) -> Result<void> {
    auto res = tx.exec_params(
        "UPDATE rooms SET title = $1, description = $2, starts_at = $3, duration_minutes = $4,"
        " status = $5, ended_reason = $6, live_at = $7, ended_at = $8, last_active_at = $9"
        " WHERE id = $10",
        r.title, r.description, optionalMillis(r.starts_at), r.duration_minutes, r.status,
        r.ended_reason, optionalMillis(r.live_at), optionalMillis(r.ended_at),
        common::toUnixMillis(r.last_active_at), r.id);
    if (res.affected_rows() == 0) return notFound("room");
    return success();
  });
}

Result<std::vector<RoomRecord>> PgRooms::listForUser(std::int64_t user_id,
                                                     std::string_view principal, int limit) {
  return db_.transact<std::vector<RoomRecord>>(
      "list rooms of a user", [&](pqxx::work& tx) -> Result<std::vector<RoomRecord>> {
        return allRooms(tx.exec_params(
            std::string(kRoomColumns) +
                " WHERE r.owner_id = $1 OR EXISTS (SELECT 1 FROM room_grants g"
                " WHERE g.room_id = r.id AND g.principal = $2) ORDER BY r.id DESC LIMIT $3",
            user_id, std::string(principal), limit));
      });
}

Result<void> PgRooms::setKey(std::int64_t room_id, std::string_view kind, std::string_view hash) {
  return db_.transact<void>("set room key", [&](pqxx::work& tx) -> Result<void> {
    auto res = tx.exec_params("UPDATE rooms SET key_kind = $1, key_hash = $2 WHERE id = $3",
                              std::string(kind), std::string(hash), room_id);
    if (res.affected_rows() == 0) return notFound("room");
    return success();
  });
}

Result<void> PgRooms::putGrant(const GrantRecord& g) {
  return db_.transact<void>("put grant", [&](pqxx::work& tx) -> Result<void> {
    tx.exec_params(
        "INSERT INTO room_grants (room_id, principal, display_name, created_at)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT (room_id, principal)"
        " DO UPDATE SET display_name = excluded.display_name",
        g.room_id, g.principal, g.display_name, common::toUnixMillis(g.created_at));
    return success();
  });
}

Result<GrantRecord> PgRooms::findGrant(std::int64_t room_id, std::string_view principal) {
  return db_.transact<GrantRecord>("find grant", [&](pqxx::work& tx) -> Result<GrantRecord> {
    auto rows = tx.exec_params(
        "SELECT room_id, principal, display_name, created_at FROM room_grants"
        " WHERE room_id = $1 AND principal = $2",
        room_id, std::string(principal));
    if (rows.empty()) return notFound("grant");
    const pqxx::row r = rows[0];
    return GrantRecord{int64(r[0]), r[1].as<std::string>(), r[2].as<std::string>(),
                       timePoint(r[3])};
  });
}

Result<std::vector<GrantRecord>> PgRooms::listGrants(std::int64_t room_id) {
  return db_.transact<std::vector<GrantRecord>>(
      "list grants", [&](pqxx::work& tx) -> Result<std::vector<GrantRecord>> {
        std::vector<GrantRecord> out;
        for (const auto& r : tx.exec_params(
                 "SELECT room_id, principal, display_name, created_at FROM room_grants"
                 " WHERE room_id = $1 ORDER BY created_at, principal",
                 room_id)) {
          out.push_back({int64(r[0]), r[1].as<std::string>(), r[2].as<std::string>(), timePoint(r[3])});
        }
        return out;
      });
}

Result<int> PgRooms::moveGrants(std::string_view from, std::string_view to) {
  return db_.transact<int>("move grants", [&](pqxx::work& tx) -> Result<int> {
    // Rooms `to` already has a grant for keep theirs; the rest move.
    auto moved = tx.exec_params(
        "UPDATE room_grants g SET principal = $2 WHERE g.principal = $1 AND NOT EXISTS"
        " (SELECT 1 FROM room_grants o WHERE o.room_id = g.room_id AND o.principal = $2)",
        std::string(from), std::string(to));
    tx.exec_params("DELETE FROM room_grants WHERE principal = $1", std::string(from));
    return static_cast<int>(moved.affected_rows());
  });
}

}  // namespace kino::storage::postgres
