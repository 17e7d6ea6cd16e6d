#pragma once
// A fixed-size pool of PostgreSQL connections, private to the PostgreSQL adapter. Connections are
// opened lazily (the first lease of a slot connects) and dropped when a lease says they broke.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <string>
#include <vector>

#include <pqxx/connection>

#include "kino/common/mutex.hpp"
#include "kino/common/result.hpp"

namespace kino::storage::postgres {

class PgPool;

// The use of one pool slot, from acquire() until destroyed; one thread at a time.
class PgLease {
 public:
  PgLease(PgLease&& other) noexcept;
  PgLease& operator=(PgLease&&) = delete;
  PgLease(const PgLease&) = delete;
  PgLease& operator=(const PgLease&) = delete;
  ~PgLease();

  // The slot's connection, opened now if the slot has none. Throws pqxx::broken_connection when
  // the server cannot be reached.
  pqxx::connection& connection();
  // Closes the connection when the lease ends instead of returning it (it broke, or its server
  // became read-only); the slot connects afresh next time.
  void discard() { discard_ = true; }

 private:
  friend class PgPool;
  struct Slot;
  PgLease(PgPool* pool, std::unique_ptr<Slot> slot);

  PgPool* pool_;
  std::unique_ptr<Slot> slot_;
  bool discard_ = false;
};

class PgPool {
 public:
  // `conninfo` as from postgresConninfo(); `size` >= 1 connections at most.
  PgPool(std::string conninfo, int size, std::chrono::milliseconds acquire_timeout);
  ~PgPool();
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  // A slot, waiting up to the acquire timeout for one to be free; kUnavailable ("store_busy")
  // when none became free. Thread-safe.
  Result<PgLease> acquire() KINO_EXCLUDES(mu_);

 private:
  friend class PgLease;
  void release(std::unique_ptr<PgLease::Slot> slot, bool discard) KINO_EXCLUDES(mu_);

  const std::string conninfo_;
  const int size_;
  const std::chrono::milliseconds acquire_timeout_;
  common::Mutex mu_;
  std::condition_variable freed_;
  // The slots not leased (connected or not); all `size` of them when none is leased.
  std::vector<std::unique_ptr<PgLease::Slot>> idle_ KINO_GUARDED_BY(mu_);
};

}  // namespace kino::storage::postgres
