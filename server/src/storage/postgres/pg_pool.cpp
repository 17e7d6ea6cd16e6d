#include "pg_pool.hpp"

#include <pqxx/errorhandler>

#include "kino/common/log.hpp"

namespace kino::storage::postgres {

namespace {

// Server notices (e.g. "relation already exists, skipping") go to the debug log, not stderr.
class NoticeLog final : public pqxx::errorhandler {
 public:
  explicit NoticeLog(pqxx::connection_base& c) : pqxx::errorhandler(c) {}
  bool operator()(const char msg[]) noexcept override {
    try {
      std::string text(msg);
      while (!text.empty() && text.back() == '\n') text.pop_back();
      log::debug("postgres_notice", {{"message", text}});
    } catch (...) {  // NOLINT(bugprone-empty-catch): a notice that cannot be logged is dropped
    }
    return false;
  }
};

}  // namespace

struct PgLease::Slot {
  std::unique_ptr<pqxx::connection> conn;
  std::unique_ptr<NoticeLog> notices;  // declared after conn: unregisters before conn closes

  void close() {
    notices.reset();
    conn.reset();
  }
};

PgLease::PgLease(PgPool* pool, std::unique_ptr<Slot> slot) : pool_(pool), slot_(std::move(slot)) {}

PgLease::PgLease(PgLease&& other) noexcept
    : pool_(other.pool_), slot_(std::move(other.slot_)), discard_(other.discard_) {
  other.pool_ = nullptr;
}

PgLease::~PgLease() {
  if (pool_ && slot_) pool_->release(std::move(slot_), discard_);
}

pqxx::connection& PgLease::connection() {
  if (slot_->conn && !slot_->conn->is_open()) slot_->close();
  if (!slot_->conn) {
    auto conn = std::make_unique<pqxx::connection>(pool_->conninfo_);
    slot_->notices = std::make_unique<NoticeLog>(*conn);
    slot_->conn = std::move(conn);
  }
  return *slot_->conn;
}

PgPool::PgPool(std::string conninfo, int size, std::chrono::milliseconds acquire_timeout)
    : conninfo_(std::move(conninfo)), size_(size), acquire_timeout_(acquire_timeout) {
  common::MutexLock lock(mu_);
  for (int i = 0; i < size_; ++i) idle_.push_back(std::make_unique<PgLease::Slot>());
}

PgPool::~PgPool() = default;

Result<PgLease> PgPool::acquire() {
  const auto deadline = std::chrono::steady_clock::now() + acquire_timeout_;
  common::MutexLock lock(mu_);
  while (idle_.empty()) {
    if (!lock.waitUntil(freed_, deadline) && idle_.empty()) {
      return Error::make(ErrorKind::kUnavailable, "store_busy",
                         "every database connection is in use, try again");
    }
  }
  std::unique_ptr<PgLease::Slot> slot = std::move(idle_.back());
  idle_.pop_back();
  return PgLease(this, std::move(slot));
}

void PgPool::release(std::unique_ptr<PgLease::Slot> slot, bool discard) {
  if (discard) slot->close();
  {
    common::MutexLock lock(mu_);
    idle_.push_back(std::move(slot));
  }
  freed_.notify_one();
}

}  // namespace kino::storage::postgres
