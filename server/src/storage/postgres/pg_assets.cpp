// Ingested videos and their jobs on PostgreSQL.
#include "pg_repositories.hpp"

namespace kino::storage::postgres {

namespace {

constexpr const char* kAssetColumns =
    "SELECT id, source_url, state, percent, eta_s, error, playable, duration_s, history, attempts,"
    " created_at, updated_at FROM assets";

AssetRecord readAsset(const pqxx::row& r) {
  AssetRecord a;
  a.id = r[0].as<std::string>();
  a.source_url = r[1].as<std::string>();
  a.state = r[2].as<std::string>();
  a.percent = r[3].as<double>();
  if (!r[4].is_null()) a.eta_s = r[4].as<int>();
  a.error = r[5].as<std::string>();
  a.playable = r[6].as<bool>();
  if (!r[7].is_null()) a.duration_s = r[7].as<double>();
  a.history = r[8].as<std::string>();
  a.attempts = r[9].as<int>();
  a.created_at = timePoint(r[10]);
  a.updated_at = timePoint(r[11]);
  return a;
}

Result<AssetRecord> oneAsset(const pqxx::result& rows) {
  if (rows.empty()) return notFound("asset");
  return readAsset(rows[0]);
}

}  // namespace

Result<void> PgAssets::create(const AssetRecord& a) {
  int attempt = 0;
  return db_.transact<void>("insert asset", [&](pqxx::work& tx) -> Result<void> {
    const bool retry = attempt++ > 0;
    const std::int64_t created = common::toUnixMillis(a.created_at);
    auto rows = tx.exec_params(
        "INSERT INTO assets (id, source_url, state, percent, history, attempts, created_at,"
        " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING"
        " RETURNING id",
        a.id, a.source_url, a.state, a.percent, a.history, a.attempts, created,
        common::toUnixMillis(a.updated_at));
    if (rows.empty() && retry) {
      rows = tx.exec_params(
          "SELECT id FROM assets WHERE id = $1 AND source_url = $2 AND created_at = $3", a.id,
          a.source_url, created);
    }
    if (rows.empty()) {
      return Error::make(ErrorKind::kConflict, "conflict", "insert asset: the id exists");
    }
    return success();
  });
}

Result<AssetRecord> PgAssets::find(std::string_view id) {
  return db_.transact<AssetRecord>("find asset", [&](pqxx::work& tx) {
    return oneAsset(tx.exec_params(std::string(kAssetColumns) + " WHERE id = $1", std::string(id)));
  });
}

Result<AssetRecord> PgAssets::findReusable(std::string_view url) {
  return db_.transact<AssetRecord>("find asset", [&](pqxx::work& tx) {
    return oneAsset(tx.exec_params(std::string(kAssetColumns) +
                                       " WHERE source_url = $1 AND state <> 'failed'"
                                       " ORDER BY created_at DESC LIMIT 1",
                                   std::string(url)));
  });
}

Result<void> PgAssets::update(const AssetRecord& a, const Fence& fence) {
  return db_.transact<void>("update asset", [&](pqxx::work& tx) -> Result<void> {
    if (auto r = checkFence(tx, fence); !r) return r.error();
    auto res = tx.exec_params(
        "UPDATE assets SET state = $1, percent = $2, eta_s = $3, error = $4, playable = $5,"
        " duration_s = $6, history = $7, attempts = $8, updated_at = $9 WHERE id = $10",
        a.state, a.percent, a.eta_s, a.error, a.playable, a.duration_s, a.history, a.attempts,
        common::toUnixMillis(a.updated_at), a.id);
    if (res.affected_rows() == 0) return notFound("asset");
    return success();
  });
}

Result<std::vector<AssetRecord>> PgAssets::listUnfinished() {
  return db_.transact<std::vector<AssetRecord>>(
      "list assets", [&](pqxx::work& tx) -> Result<std::vector<AssetRecord>> {
        auto rows = tx.exec(std::string(kAssetColumns) +
                            " WHERE state NOT IN ('ready', 'failed') ORDER BY created_at");
        std::vector<AssetRecord> out;
        out.reserve(rows.size());
        for (const auto& row : rows) out.push_back(readAsset(row));
        return out;
      });
}

Result<bool> PgAssets::usedByPublicRoom(std::string_view id) {
  return db_.transact<bool>("asset visibility", [&](pqxx::work& tx) -> Result<bool> {
    return tx
        .exec_params1(
            "SELECT EXISTS (SELECT 1 FROM rooms WHERE asset_id = $1 AND visibility = 'public')",
            std::string(id))[0]
        .as<bool>();
  });
}

Result<void> PgAssets::attachToRoom(std::int64_t room_id, std::string_view asset_id) {
  return db_.transact<void>("attach asset", [&](pqxx::work& tx) -> Result<void> {
    tx.exec_params("UPDATE rooms SET asset_id = $1 WHERE id = $2", std::string(asset_id), room_id);
    return success();
  });
}

}  // namespace kino::storage::postgres
