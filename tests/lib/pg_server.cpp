#include "lib/pg_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <pqxx/connection>
#include <pqxx/nontransaction>

extern char** environ;

namespace kino::testlib {
namespace {

namespace fs = std::filesystem;

const fs::path kBin = "/usr/lib/postgresql/15/bin";

std::string readFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs argv (prefixed with setpriv when `user` is set) with stdout and stderr appended to `log`;
// returns the exit status (-1 when it could not start).
int run(std::vector<std::string> argv, const std::string& user, const fs::path& log) {
  if (!user.empty()) {
    argv.insert(argv.begin(), {"setpriv", "--reuid=" + user, "--regid=" + user, "--init-groups"});
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A port nothing listens on right now (the server may still lose a race for it: start() retries).
int freePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("pg_server: no free port on 127.0.0.1");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

// Starts `sh` that waits for this process to end, then stops the server and removes `dir`.
pid_t startWatchdog(const fs::path& dir, const std::vector<std::string>& stop) {
  std::vector<std::string> argv = {
      "sh", "-c",
      "while kill -0 \"$0\" 2>/dev/null; do sleep 1; done; dir=$1; shift; \"$@\"; rm -rf \"$dir\"",
      std::to_string(::getpid()), dir.string()};
  argv.insert(argv.end(), stop.begin(), stop.end());
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);  // outlives a kill of our process group
  pid_t pid = -1;
  if (posix_spawnp(&pid, "sh", &actions, &attr, args.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return pid;
}

// A cluster initdb made, kept in the temporary directory for later runs (initdb takes most of a
// second, a copy a few milliseconds). Only a cluster owned by `user` and private to it is used.
fs::path initializedCluster(const std::string& user, const fs::path& log) {
  const uid_t uid = user.empty() ? ::geteuid() : ::getpwnam(user.c_str())->pw_uid;
  const fs::path cache = fs::temp_directory_path() / ("kino-pg15-initdb-w1-" + std::to_string(uid));
  struct stat st {};
  if (::stat(cache.c_str(), &st) == 0 && st.st_uid == uid && (st.st_mode & 0077) == 0 &&
      fs::exists(cache / "PG_VERSION")) {
    return cache;
  }
  std::string tmpl = (fs::temp_directory_path() / "kino-pg-initdb-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("pg_server: mkdtemp failed");
  const fs::path work = tmpl;
  if (!user.empty() && ::chown(work.c_str(), uid, static_cast<gid_t>(-1)) != 0) {
    throw std::runtime_error("pg_server: cannot give " + work.string() + " to " + user);
  }
  if (run({(kBin / "initdb").string(), "-D", (work / "data").string(), "-U", "postgres",
           "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--wal-segsize=1"},
          user, log) != 0) {
    throw std::runtime_error("pg_server: initdb failed:\n" + readFile(log));
  }
  std::error_code ec;
  fs::rename(work / "data", cache, ec);  // another process may have been first: then use its copy
  fs::remove_all(work, ec);
  return cache;
}

}  // namespace

std::unique_ptr<PgServer> PgServer::start(const PgServerOptions& options) {
  if (!fs::exists(kBin / "initdb")) {
    throw std::runtime_error("pg_server: PostgreSQL 15 is not installed (" + kBin.string() +
                             "); tools/install-deps installs it");
  }
  std::unique_ptr<PgServer> pg(new PgServer());
  std::string tmpl = (fs::temp_directory_path() / "kino-pg-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("pg_server: mkdtemp failed");
  pg->dir_ = tmpl;
  if (::geteuid() == 0) {
    const passwd* pw = ::getpwnam("postgres");
    if (!pw) throw std::runtime_error("pg_server: running as root and there is no user postgres");
    pg->run_as_ = "postgres";
    if (::chown(pg->dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      throw std::runtime_error("pg_server: cannot give " + pg->dir_.string() + " to postgres");
    }
  }
  const fs::path data = pg->dir_ / "data";
  const fs::path log = pg->dir_ / "harness.log";
  pg->watchdog_ = startWatchdog(pg->dir_, [&] {
    std::vector<std::string> stop;
    if (!pg->run_as_.empty()) {
      stop = {"setpriv", "--reuid=" + pg->run_as_, "--regid=" + pg->run_as_, "--init-groups"};
    }
    stop.insert(stop.end(),
                {(kBin / "pg_ctl").string(), "stop", "-D", data.string(), "-m", "immediate"});
    return stop;
  }());
  if (options.durable) {  // PostgreSQL's default 16 MiB WAL segments, as a deployment has them
    if (run({(kBin / "initdb").string(), "-D", data.string(), "-U", "postgres", "--auth=trust",
             "-E", "UTF8", "--locale=C.UTF-8"},
            pg->run_as_, log) != 0) {
      throw std::runtime_error("pg_server: initdb failed:\n" + readFile(log));
    }
  } else if (run({"cp", "-a", initializedCluster(pg->run_as_, log).string(), data.string()},
                 pg->run_as_, log) != 0) {
    throw std::runtime_error("pg_server: cannot copy the initialized cluster:\n" + readFile(log));
  }
  std::string settings = "-c listen_addresses=127.0.0.1 -k " + pg->dir_.string() +
                         " -c max_connections=200 -c shared_buffers=32MB";
  if (!options.durable) settings += " -c fsync=off -c synchronous_commit=off";
  for (int tries = 0; tries < 3 && !pg->running_; ++tries) {
    pg->port_ = freePort();
    pg->running_ = run({(kBin / "pg_ctl").string(), "-D", data.string(), "-l",
                        (pg->dir_ / "server.log").string(), "-w", "-t", "30", "-o",
                        "-p " + std::to_string(pg->port_) + " " + settings, "start"},
                       pg->run_as_, log) == 0;
  }
  if (!pg->running_) {
    throw std::runtime_error("pg_server: the server did not start:\n" + readFile(log) +
                             readFile(pg->dir_ / "server.log"));
  }
  return pg;
}

PgServer::~PgServer() {
  if (running_) {
    run({(kBin / "pg_ctl").string(), "stop", "-D", (dir_ / "data").string(), "-m", "fast", "-w"},
        run_as_, dir_ / "harness.log");
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
  if (watchdog_ > 0) {
    ::kill(watchdog_, SIGTERM);
    ::waitpid(watchdog_, nullptr, 0);
  }
}

std::string PgServer::url(std::string_view database) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) +
         " user=postgres dbname=" + std::string(database);
}

std::string PgServer::createDatabase() {
  static std::atomic<int> counter{0};
  const std::string name =
      "kino_test_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
  exec("postgres", "CREATE DATABASE " + name + " TEMPLATE template0 STRATEGY FILE_COPY");
  return name;
}

void PgServer::exec(std::string_view database, std::string_view sql) const {
  pqxx::connection c(url(database));
  pqxx::nontransaction tx(c);
  tx.exec(std::string(sql));
}

PgServer& sharedPgServer() {
  static const std::unique_ptr<PgServer> server = PgServer::start();
  return *server;
}

}  // namespace kino::testlib
