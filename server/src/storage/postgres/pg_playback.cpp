// Shared playback events and a room's control policies on PostgreSQL. Events are partitioned by
// month of created_at; a retried write of the same event is ignored (its primary key holds
// room, seq and created_at).
#include <set>

#include "pg_repositories.hpp"

namespace kino::storage::postgres {

namespace {

constexpr const char* kPlaybackColumns =
    "SELECT room_id, seq, action, playing, position_s, rate, volume, muted, at_server_ms,"
    " by_principal, by_name, created_at FROM playback_events";

PlaybackEventRecord readPlayback(const pqxx::row& r) {
  PlaybackEventRecord e;
  e.room_id = int64(r[0]);
  e.seq = int64(r[1]);
  e.action = r[2].as<std::string>();
  e.playing = r[3].as<bool>();
  e.position_s = r[4].as<double>();
  e.rate = r[5].as<double>();
  e.volume = r[6].as<double>();
  e.muted = r[7].as<bool>();
  e.at_server_ms = int64(r[8]);
  e.by_principal = r[9].as<std::string>();
  e.by_name = r[10].as<std::string>();
  e.created_at = timePoint(r[11]);
  return e;
}

}  // namespace

Result<void> PgPlayback::append(const std::vector<PlaybackEventRecord>& events,
                                const Fence& fence) {
  std::set<Month> months;
  for (const auto& e : events) months.insert(monthOf(e.created_at));
  if (auto r = db_.ensureMonths(months); !r) return r.error();
  return db_.transact<void>("insert playback events", [&](pqxx::work& tx) -> Result<void> {
    if (auto r = checkFence(tx, fence); !r) return r.error();
    for (const auto& e : events) {
      tx.exec_params(
          "INSERT INTO playback_events (room_id, seq, action, playing, position_s, rate, volume,"
          " muted, at_server_ms, by_principal, by_name, created_at)"
          " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING",
          e.room_id, e.seq, e.action, e.playing, e.position_s, e.rate, e.volume, e.muted,
          e.at_server_ms, e.by_principal, e.by_name, common::toUnixMillis(e.created_at));
    }
    return success();
  });
}

Result<PlaybackEventRecord> PgPlayback::last(std::int64_t room_id) {
  return db_.transact<PlaybackEventRecord>(
      "last playback", [&](pqxx::work& tx) -> Result<PlaybackEventRecord> {
        auto rows = tx.exec_params(
            std::string(kPlaybackColumns) + " WHERE room_id = $1 ORDER BY seq DESC LIMIT 1",
            room_id);
        if (rows.empty()) return notFound("playback event");
        return readPlayback(rows[0]);
      });
}

Result<std::vector<PlaybackEventRecord>> PgPlayback::all(std::int64_t room_id) {
  return db_.transact<std::vector<PlaybackEventRecord>>(
      "playback events", [&](pqxx::work& tx) -> Result<std::vector<PlaybackEventRecord>> {
        auto rows = tx.exec_params(
            std::string(kPlaybackColumns) + " WHERE room_id = $1 ORDER BY seq", room_id);
        std::vector<PlaybackEventRecord> out;
        out.reserve(rows.size());
        for (const auto& row : rows) out.push_back(readPlayback(row));
        return out;
      });
}

Result<void> PgPlayback::setPolicy(std::int64_t room_id, std::string_view control,
                                   std::string_view buffering) {
  return db_.transact<void>("set policy", [&](pqxx::work& tx) -> Result<void> {
    tx.exec_params("UPDATE rooms SET control_policy = $1, buffering_policy = $2 WHERE id = $3",
                   std::string(control), std::string(buffering), room_id);
    return success();
  });
}

}  // namespace kino::storage::postgres
