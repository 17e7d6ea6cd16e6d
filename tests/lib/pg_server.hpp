#pragma once
// A private PostgreSQL 15 for tests and benchmarks: initdb into a new temporary directory, listen
// on 127.0.0.1 at a free port (socket in that directory), stopped (pg_ctl stop -m fast) and removed
// when the object goes away. PostgreSQL refuses to run as root: when the tests run as root it runs
// as the Debian user `postgres` (setpriv), else as the tests' own user. A watchdog process stops it
// and removes the directory if the test process dies without doing so.

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace kino::testlib {

struct PgServerOptions {
  // false (tests): fsync and synchronous_commit off, 1 MiB WAL segments, a copy of a cluster
  // initialized once. true (benchmarks): a new initdb and PostgreSQL's defaults.
  bool durable = false;
};

class PgServer {
 public:
  // Starts a server; throws std::runtime_error (with initdb's or the server's log) when it cannot.
  static std::unique_ptr<PgServer> start(const PgServerOptions& options = {});
  ~PgServer();
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  int port() const { return port_; }
  // A libpq conninfo for `database` as the superuser "postgres" (trust authentication).
  std::string url(std::string_view database = "postgres") const;
  // Creates an empty database with a name not used before in this process; returns the name.
  std::string createDatabase();
  // Runs `sql` (one or more statements) on `database`; throws on failure.
  void exec(std::string_view database, std::string_view sql) const;

 private:
  PgServer() = default;
  std::filesystem::path dir_;  // data/, the socket, the logs
  std::string run_as_;         // "" or the user PostgreSQL runs as
  int port_ = 0;
  pid_t watchdog_ = -1;
  bool running_ = false;
};

// The one server of this test binary run, started on first use and stopped at exit.
PgServer& sharedPgServer();

}  // namespace kino::testlib
