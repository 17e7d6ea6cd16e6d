#pragma once
// PostgreSQL adapter of the Store port (libpqxx): a pool of connections to one database, which may
// be a primary behind several addresses (libpq multi-host with target_session_attrs=read-write).
//
// Failures beyond the port's contract (kino/storage/store.hpp): a lost connection, a failover, a
// serialization failure or deadlock, or a read-only server (SQLSTATE class 08, 57P01, 57P02,
// 57P03, 40001, 40P01, 25006) makes the adapter run the whole transaction again on a fresh
// connection, with backoff, for up to `retry_budget`; then kUnavailable ("store_unavailable").
// A retried write never stores anything twice. No free connection within `acquire_timeout` gives
// kUnavailable ("store_busy") at once.
//
// Chat messages and playback events are partitioned by month of their server time; migrate() and
// maintain() create the partitions of the current month and the next two, and a write into a month
// without a partition creates that partition first.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kino/storage/store.hpp"

namespace kino::storage {

struct PostgresOptions {
  std::string url;  // libpq conninfo ("host=a,b port=1,2 dbname=kino …") or URI (postgresql://…)
  int pool_size = 8;
  std::chrono::milliseconds acquire_timeout{5000};  // wait for a free pooled connection
  std::chrono::milliseconds retry_budget{10000};    // total time a transaction is retried
};

// Checks the options and makes the pool; connects lazily (the first call, usually migrate(),
// connects). kInvalid ("invalid_postgres_url") when the URL cannot be parsed.
Result<std::unique_ptr<Store>> openPostgresStore(const PostgresOptions& options);

// The conninfo Kino connects with: `url` (key=value or URI) parsed by libpq and written out as
// key=value pairs, with what `url` does not set among connect_timeout=5, application_name=kino and
// TCP keepalives (idle 10 s, interval 5 s, count 3) added.
// kInvalid ("invalid_postgres_url") when libpq cannot parse it; the message never repeats a
// password.
Result<std::string> postgresConninfo(std::string_view url);

// What copySqliteToPostgres copied: rows per table, in copy order.
struct StoreCopyReport {
  struct Table {
    std::string name;
    std::int64_t rows = 0;
  };
  std::vector<Table> tables;
};

// Moves a single-node installation's database: migrates the SQLite file at `sqlite_file` to this
// Kino's schema, migrates the PostgreSQL database of `to`, copies every row of every table in one
// transaction (ids, sequence numbers and times kept; PostgreSQL's id sequences moved past them),
// then reads every row back from both and compares them value by value. The target must be empty:
// kConflict ("target_not_empty") otherwise, and nothing is written. kNotFound ("source_unreadable")
// for a missing file; kInternal ("import_failed") when verification finds a difference. Blocks.
Result<StoreCopyReport> copySqliteToPostgres(const std::filesystem::path& sqlite_file,
                                             const PostgresOptions& to);

}  // namespace kino::storage
