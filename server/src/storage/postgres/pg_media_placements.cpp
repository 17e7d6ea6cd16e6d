// Which Janus node carries each room's call, on PostgreSQL: one row per placed room. place is an
// insert-if-absent and move a conditional upsert, each one statement, so Kino nodes racing to
// place or move a room's call are serialised by the row and agree on one node.
#include "pg_repositories.hpp"

namespace kino::storage::postgres {

namespace {

constexpr const char* kFind =
    "SELECT room_id, janus_node, placed_at FROM media_placements WHERE room_id = $1";

MediaPlacementRecord readPlacement(const pqxx::row& r) {
  return MediaPlacementRecord{int64(r[0]), r[1].as<std::string>(), timePoint(r[2])};
}

}  // namespace

Result<MediaPlacementRecord> PgMediaPlacements::place(std::int64_t room_id,
                                                      std::string_view janus_node,
                                                      common::TimePoint now) {
  // Safe to run again after a lost commit reply: the second run finds the first one's row.
  return db_.transact<MediaPlacementRecord>(
      "place call", [&](pqxx::work& tx) -> Result<MediaPlacementRecord> {
        auto rows = tx.exec_params(
            "INSERT INTO media_placements (room_id, janus_node, placed_at) VALUES ($1, $2, $3)"
            " ON CONFLICT (room_id) DO NOTHING RETURNING room_id, janus_node, placed_at",
            room_id, std::string(janus_node), common::toUnixMillis(now));
        if (rows.empty()) rows = tx.exec_params(kFind, room_id);  // placed by someone else
        // Forgotten between the two statements: the caller's node is as good as any.
        if (rows.empty()) return MediaPlacementRecord{room_id, std::string(janus_node), now};
        return readPlacement(rows[0]);
      });
}

Result<MediaPlacementRecord> PgMediaPlacements::move(std::int64_t room_id, std::string_view from,
                                                     std::string_view to, common::TimePoint now) {
  return db_.transact<MediaPlacementRecord>(
      "move call", [&](pqxx::work& tx) -> Result<MediaPlacementRecord> {
        auto rows = tx.exec_params(
            "INSERT INTO media_placements AS p (room_id, janus_node, placed_at)"
            " VALUES ($1, $2, $3) ON CONFLICT (room_id) DO UPDATE SET"
            " janus_node = EXCLUDED.janus_node, placed_at = EXCLUDED.placed_at"
            " WHERE p.janus_node = $4 RETURNING room_id, janus_node, placed_at",
            room_id, std::string(to), common::toUnixMillis(now), std::string(from));
        if (rows.empty()) rows = tx.exec_params(kFind, room_id);  // moved by someone else first
        if (rows.empty()) return MediaPlacementRecord{room_id, std::string(to), now};
        return readPlacement(rows[0]);
      });
}

Result<void> PgMediaPlacements::forget(std::int64_t room_id, std::string_view janus_node) {
  return db_.transact<void>("forget call", [&](pqxx::work& tx) -> Result<void> {
    tx.exec_params("DELETE FROM media_placements WHERE room_id = $1 AND janus_node = $2", room_id,
                   std::string(janus_node));
    return success();
  });
}

Result<MediaPlacementRecord> PgMediaPlacements::find(std::int64_t room_id) {
  auto body = [&](pqxx::work& tx) -> Result<MediaPlacementRecord> {
    auto rows = tx.exec_params(kFind, room_id);
    if (rows.empty()) return notFound("media placement");
    return readPlacement(rows[0]);
  };
  return db_.transact<MediaPlacementRecord>("find call", body);
}

}  // namespace kino::storage::postgres
