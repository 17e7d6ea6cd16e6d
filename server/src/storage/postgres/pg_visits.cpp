// Who was in each room and when, on PostgreSQL. A person's open visit is unique per room (a partial
// unique index), so open is one upsert: it reuses the open visit or starts a new one.
#include "pg_repositories.hpp"

namespace kino::storage::postgres {

namespace {

constexpr const char* kColumns = "id, room_id, principal, display_name, joined_at, left_at";

VisitRecord readVisit(const pqxx::row& r) {
  return VisitRecord{int64(r[0]),
                     int64(r[1]),
                     r[2].as<std::string>(),
                     r[3].as<std::string>(),
                     timePoint(r[4]),
                     optionalTimePoint(r[5])};
}

}  // namespace

Result<VisitRecord> PgVisits::open(std::int64_t room_id, std::string_view principal,
                                   std::string_view display_name, common::TimePoint at) {
  // Safe to run again after a lost commit reply: the second run finds the first one's visit open.
  return db_.transact<VisitRecord>("open visit", [&](pqxx::work& tx) -> Result<VisitRecord> {
    auto rows = tx.exec_params(
        std::string("INSERT INTO room_visits (room_id, principal, display_name, joined_at)"
                    " VALUES ($1, $2, $3, $4) ON CONFLICT (room_id, principal)"
                    " WHERE left_at IS NULL DO UPDATE SET display_name = EXCLUDED.display_name"
                    " RETURNING ") +
            kColumns,
        room_id, std::string(principal), std::string(display_name), common::toUnixMillis(at));
    return readVisit(rows.at(0));
  });
}

Result<void> PgVisits::close(std::int64_t room_id, std::string_view principal,
                             common::TimePoint at) {
  return db_.transact<void>("close visit", [&](pqxx::work& tx) -> Result<void> {
    tx.exec_params(
        "UPDATE room_visits SET left_at = GREATEST(joined_at, $1)"
        " WHERE room_id = $2 AND principal = $3 AND left_at IS NULL",
        common::toUnixMillis(at), room_id, std::string(principal));
    return success();
  });
}

Result<int> PgVisits::closeAll(std::int64_t room_id, common::TimePoint at) {
  return db_.transact<int>("close visits", [&](pqxx::work& tx) -> Result<int> {
    auto res = tx.exec_params(
        "UPDATE room_visits SET left_at = GREATEST(joined_at, $1)"
        " WHERE room_id = $2 AND left_at IS NULL",
        common::toUnixMillis(at), room_id);
    return static_cast<int>(res.affected_rows());
  });
}

Result<std::vector<VisitRecord>> PgVisits::list(std::int64_t room_id) {
  return db_.transact<std::vector<VisitRecord>>(
      "list visits", [&](pqxx::work& tx) -> Result<std::vector<VisitRecord>> {
        auto rows = tx.exec_params(std::string("SELECT ") + kColumns +
                                       " FROM room_visits WHERE room_id = $1"
                                       " ORDER BY joined_at, id",
                                   room_id);
        std::vector<VisitRecord> out;
        out.reserve(rows.size());
        for (const auto& r : rows) out.push_back(readVisit(r));
        return out;
      });
}

}  // namespace kino::storage::postgres
