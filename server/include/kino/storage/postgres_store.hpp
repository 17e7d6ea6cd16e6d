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
#include <memory>
#include <string>
#include <string_view>

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

}  // namespace kino::storage
