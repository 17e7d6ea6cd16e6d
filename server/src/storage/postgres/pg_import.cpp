// Copying a SQLite installation into an empty PostgreSQL database: every row of every table, with
// its id, then sequences moved past the copied ids, then every row read back from both sides and
// compared value by value.
#include <sqlite3.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <variant>
#include <vector>

#include "kino/common/log.hpp"
#include "kino/storage/migrations.hpp"
#include "kino/storage/postgres_store.hpp"
#include "kino/storage/sqlite_store.hpp"
#include <pqxx/prepared_statement>

#include "pg_database.hpp"

namespace kino::storage {
namespace {

using postgres::Month;
using postgres::PgDatabase;

// The tables in an order that satisfies the foreign keys, each with the columns that order its rows
// the same way on both engines (its key). message_keys is derived (PostgreSQL only).
struct Table {
  const char* name;
  const char* order_by;
};
constexpr Table kTables[] = {
    {"users", "id"},          {"sessions", "token_hash"},         {"assets", "id"},
    {"rooms", "id"},          {"room_grants", "room_id, principal"}, {"messages", "id"},
    {"playback_events", "room_id, seq"},
    {"room_visits", "id"},
};

// One value as both engines can be compared: NULL, an integer (booleans are 0/1), a real, or text.
using Value = std::variant<std::monostate, std::int64_t, double, std::string>;
using Row = std::vector<Value>;

Error importError(std::string message) {
  return Error::make(ErrorKind::kInternal, "import_failed", std::move(message));
}

// A read-only connection to the source.
class SqliteSource {
 public:
  static Result<SqliteSource> open(const std::filesystem::path& path) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      std::string why = db ? sqlite3_errmsg(db) : "out of memory";
      sqlite3_close_v2(db);
      return Error::make(ErrorKind::kNotFound, "source_unreadable",
                         "cannot read " + path.string() + ": " + why);
    }
    return SqliteSource(db);
  }
  SqliteSource(SqliteSource&& o) noexcept : db_(std::exchange(o.db_, nullptr)) {}
  SqliteSource(const SqliteSource&) = delete;
  SqliteSource& operator=(const SqliteSource&) = delete;
  SqliteSource& operator=(SqliteSource&&) = delete;
  ~SqliteSource() { sqlite3_close_v2(db_); }

  Result<std::vector<std::string>> columns(const char* table) {
    std::vector<std::string> out;
    auto rows = query(std::string("SELECT name FROM pragma_table_info('") + table + "')");
    if (!rows) return rows.error();
    for (auto& r : *rows) out.push_back(std::get<std::string>(r.at(0)));
    if (out.empty()) return importError(std::string("the source has no table ") + table);
    return out;
  }

  // Every row of `sql`, typed as SQLite stored each value.
  Result<std::vector<Row>> query(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      return importError("source: " + std::string(sqlite3_errmsg(db_)));
    }
    std::vector<Row> rows;
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      Row row;
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        switch (sqlite3_column_type(st, i)) {
          case SQLITE_NULL: row.emplace_back(std::monostate{}); break;
          case SQLITE_INTEGER: row.emplace_back(std::int64_t{sqlite3_column_int64(st, i)}); break;
          case SQLITE_FLOAT: row.emplace_back(sqlite3_column_double(st, i)); break;
          default:
            row.emplace_back(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, i)),
                                         static_cast<std::size_t>(sqlite3_column_bytes(st, i))));
        }
      }
      rows.push_back(std::move(row));
    }
    const std::string error = rc == SQLITE_DONE ? "" : sqlite3_errmsg(db_);
    sqlite3_finalize(st);
    if (!error.empty()) return importError("source: " + error);
    return rows;
  }

 private:
  explicit SqliteSource(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

// A value as a PostgreSQL text parameter (reals exactly: shortest round-trip form).
std::optional<std::string> asParam(const Value& v) {
  if (std::holds_alternative<std::monostate>(v)) return std::nullopt;
  if (auto i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (auto d = std::get_if<double>(&v)) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *d);
    return std::string(buf, end);
  }
  return std::get<std::string>(v);
}

// A PostgreSQL field read back as the SQLite value it came from: booleans and integers as integers,
// reals as doubles (a column of the source tells which).
Value fromField(const pqxx::field& f, const Value& like) {
  if (f.is_null()) return std::monostate{};
  if (std::holds_alternative<std::int64_t>(like)) {
    const std::string_view s = f.c_str();
    if (s == "t") return std::int64_t{1};
    if (s == "f") return std::int64_t{0};
    return f.as<std::int64_t>();
  }
  if (std::holds_alternative<double>(like)) return f.as<double>();
  return std::string(f.c_str());
}

bool same(const Value& a, const Value& b) {
  if (auto x = std::get_if<double>(&a)) {
    auto y = std::get_if<double>(&b);
    return y && (*x == *y || (std::isnan(*x) && std::isnan(*y)));
  }
  return a == b;
}

std::string columnList(const std::vector<std::string>& cols) {
  std::string out;
  for (const auto& c : cols) out += (out.empty() ? "" : ", ") + c;
  return out;
}

// Copies `table` inside `tx`; returns the rows copied.
std::int64_t copyTable(pqxx::work& tx, const char* table, const std::vector<std::string>& cols,
                       const std::vector<Row>& rows) {
  std::string sql = std::string("INSERT INTO ") + table + " (" + columnList(cols) + ") VALUES (";
  for (std::size_t i = 0; i < cols.size(); ++i) sql += (i ? ", $" : "$") + std::to_string(i + 1);
  sql += ")";
  tx.conn().prepare(std::string("import_") + table, sql);
  std::vector<std::optional<std::string>> texts;
  std::vector<const char*> params;  // nullptr is SQL NULL
  for (const Row& row : rows) {
    texts.clear();
    params.clear();
    for (const Value& v : row) texts.push_back(asParam(v));
    for (const auto& t : texts) params.push_back(t ? t->c_str() : nullptr);
    tx.exec_prepared(std::string("import_") + table, pqxx::prepare::make_dynamic_params(params));
  }
  return static_cast<std::int64_t>(rows.size());
}

}  // namespace

Result<StoreCopyReport> copySqliteToPostgres(const std::filesystem::path& sqlite_file,
                                             const PostgresOptions& to) {
  // The source at the schema this Kino knows (a forward migration, as `kino migrate` does), then
  // read-only from here on.
  {
    auto source = openSqliteStore(sqlite_file);
    if (!source) return source.error();
    if (auto v = (*source)->migrate(); !v) return v.error();
  }
  auto source = SqliteSource::open(sqlite_file);
  if (!source) return source.error();
  auto target_store = openPostgresStore(to);
  if (!target_store) return target_store.error();
  if (auto v = (*target_store)->migrate(); !v) return v.error();
  auto conninfo = postgresConninfo(to.url);
  if (!conninfo) return conninfo.error();
  PgDatabase target(*conninfo, to);

  std::map<std::string, std::vector<std::string>> columns;
  std::map<std::string, std::vector<Row>> data;
  std::set<Month> months;
  for (const Table& t : kTables) {
    auto cols = source->columns(t.name);
    if (!cols) return cols.error();
    auto rows = source->query("SELECT " + columnList(*cols) + " FROM " + t.name + " ORDER BY " +
                              t.order_by);
    if (!rows) return rows.error();
    const std::string time_column =
        std::strcmp(t.name, "messages") == 0 ? "sent_at"
        : std::strcmp(t.name, "playback_events") == 0 ? "created_at" : "";
    if (!time_column.empty()) {
      const auto at = static_cast<std::size_t>(
          std::find(cols->begin(), cols->end(), time_column) - cols->begin());
      for (const Row& r : *rows) months.insert(postgres::monthOf(std::get<std::int64_t>(r.at(at))));
    }
    columns[t.name] = std::move(*cols);
    data[t.name] = std::move(*rows);
  }
  if (auto r = target.ensureMonths(months); !r) return r.error();

  auto copied = target.transact<StoreCopyReport>("import", [&](pqxx::work& tx)
                                                              -> Result<StoreCopyReport> {
    for (const Table& t : kTables) {
      if (tx.exec1(std::string("SELECT count(*) FROM ") + t.name)[0].as<std::int64_t>() > 0) {
        return Error::make(ErrorKind::kConflict, "target_not_empty",
                           std::string("the PostgreSQL database already holds ") + t.name +
                               ": import into a new, empty database");
      }
    }
    StoreCopyReport report;
    for (const Table& t : kTables) {
      report.tables.push_back({t.name, copyTable(tx, t.name, columns[t.name], data[t.name])});
    }
    tx.exec(
        "INSERT INTO message_keys (room_id, principal, client_id, seq, message_id, sent_at) "
        "SELECT room_id, principal, client_id, seq, id, sent_at FROM messages");
    for (const char* table : {"users", "rooms", "room_visits"}) {
      tx.exec(std::string("SELECT setval(pg_get_serial_sequence('") + table +
              "', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM " + table);
    }
    tx.exec("SELECT setval('messages_id_seq', COALESCE(MAX(id), 0) + 1, false) FROM messages");
    return report;
  });
  if (!copied) return copied.error();

  // Read back and compare every row.
  auto verified = target.transact<bool>("verify import", [&](pqxx::work& tx) -> Result<bool> {
    for (const Table& t : kTables) {
      const auto& cols = columns[t.name];
      const auto& want = data[t.name];
      const pqxx::result got = tx.exec("SELECT " + columnList(cols) + " FROM " + t.name +
                                       " ORDER BY " + t.order_by);
      if (got.size() != want.size()) {
        return importError(std::string("verification: ") + t.name + " has " +
                           std::to_string(got.size()) + " rows, the source " +
                           std::to_string(want.size()));
      }
      for (std::size_t r = 0; r < want.size(); ++r) {
        for (std::size_t c = 0; c < cols.size(); ++c) {
          const auto row = static_cast<pqxx::result::size_type>(r);
          const auto col = static_cast<pqxx::row::size_type>(c);
          if (!same(fromField(got[row][col], want[r][c]), want[r][c])) {
            return importError(std::string("verification: ") + t.name + " row " +
                               std::to_string(r + 1) + " differs in " + cols[c]);
          }
        }
      }
    }
    return true;
  });
  if (!verified) return verified.error();
  for (const auto& [table, rows] : copied->tables) {
    log::info("import_table", {{"table", table}, {"rows", rows}});
  }
  return copied;
}

}  // namespace kino::storage
