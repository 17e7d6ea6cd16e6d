#include "kino/storage/sqlite_store.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>

#include "sqlite_db.hpp"
#include "sqlite_migrations.hpp"

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
  sqlite3* db = nullptr;
  std::mutex mu;
  ~Connection() { sqlite3_close_v2(db); }
};

UserRecord readUser(Statement& s) {
  return UserRecord{s.int64(0), s.text(1), s.text(2), s.text(3), fromUnixMillis(s.int64(4))};
}

class SqliteUsers final : public UserRepository {
 public:
  explicit SqliteUsers(Connection& c) : c_(c) {}

  Result<UserRecord> create(const NewUser& u) override {
    std::lock_guard lock(c_.mu);
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
    std::lock_guard lock(c_.mu);
    Statement s(c_.db,
                "SELECT id, username, display_name, password_hash, created_at FROM users"
                " WHERE username_key = ?");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare find user");
    s.bind(1, asciiLower(username));
    return readOne(s);
  }

  Result<UserRecord> findById(std::int64_t id) override {
    std::lock_guard lock(c_.mu);
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
    std::lock_guard lock(c_.mu);
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
    std::lock_guard lock(c_.mu);
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
    std::lock_guard lock(c_.mu);
    Statement s(c_.db, "DELETE FROM sessions WHERE token_hash = ?");
    if (!s.ok()) return toError(c_.db, s.prepareCode(), "prepare revoke session");
    s.bind(1, token_hash);
    const int rc = s.step();
    if (rc != SQLITE_DONE) return toError(c_.db, rc, "revoke session");
    return success();
  }

  Result<int> deleteExpired(common::TimePoint now) override {
    std::lock_guard lock(c_.mu);
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

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(std::unique_ptr<Connection> c)
      : c_(std::move(c)), users_(*c_), sessions_(*c_) {}

  UserRepository& users() override { return users_; }
  SessionRepository& sessions() override { return sessions_; }

  Result<void> ping() override {
    std::lock_guard lock(c_->mu);
    Statement s(c_->db, "SELECT 1");
    if (!s.ok()) return toError(c_->db, s.prepareCode(), "ping");
    const int rc = s.step();
    if (rc != SQLITE_ROW) return toError(c_->db, rc, "ping");
    return success();
  }

  Result<int> migrate() override {
    std::lock_guard lock(c_->mu);
    Statement v(c_->db, "PRAGMA user_version");
    if (!v.ok() || v.step() != SQLITE_ROW) return toError(c_->db, v.prepareCode(), "user_version");
    const auto all = sqlite::migrations();
    int version = static_cast<int>(v.int64(0));
    if (version > static_cast<int>(all.size())) {
      return Error::make(ErrorKind::kInternal, "schema_too_new",
                         "the database was written by a newer kino (schema " +
                             std::to_string(version) + ")");
    }
    for (; version < static_cast<int>(all.size()); ++version) {
      std::string sql = "BEGIN IMMEDIATE;\n" + std::string(all[static_cast<std::size_t>(version)]) +
                        "\nPRAGMA user_version = " + std::to_string(version + 1) + ";\nCOMMIT;";
      if (auto r = sqlite::exec(c_->db, sql); !r) {
        (void)sqlite::exec(c_->db, "ROLLBACK");
        return r.error();
      }
    }
    return version;
  }

 private:
  std::unique_ptr<Connection> c_;
  SqliteUsers users_;
  SqliteSessions sessions_;
};

}  // namespace

Result<std::unique_ptr<Store>> openSqliteStore(const std::filesystem::path& path) {
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
