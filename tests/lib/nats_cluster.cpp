#include "lib/nats_cluster.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace kino::testlib {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string readFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A port nothing listens on right now, not in `taken`.
int freePort(std::set<int>& taken) {
  for (;;) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      if (fd >= 0) ::close(fd);
      throw std::runtime_error("nats_cluster: no free port on 127.0.0.1");
    }
    ::close(fd);
    if (taken.insert(ntohs(addr.sin_port)).second) return ntohs(addr.sin_port);
  }
}

pid_t spawnArgs(std::vector<std::string> argv, const fs::path& log, bool new_session) {
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  if (new_session) posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  pid_t pid = -1;
  if (posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return pid;
}

// Whether `pid` (a child) has ended; reaps it.
bool ended(pid_t pid) {
  int status = 0;
  const pid_t r = ::waitpid(pid, &status, WNOHANG);
  return r == pid || (r < 0 && errno == ECHILD);
}

// GET http://127.0.0.1:<port><path> (HTTP/1.0): the body, "" when nothing answers in time.
std::string httpGet(int port, std::string_view path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return {};
  timeval timeout{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  std::string response;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string request = "GET " + std::string(path) + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
        static_cast<ssize_t>(request.size())) {
      char buf[65536];
      for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) {
        response.append(buf, static_cast<std::size_t>(n));
      }
    }
  }
  ::close(fd);
  const auto body = response.find("\r\n\r\n");
  return body == std::string::npos ? std::string() : response.substr(body + 4);
}

const boost::json::value* field(const boost::json::value& v, std::string_view key) {
  if (!v.is_object()) return nullptr;
  return v.as_object().if_contains(key);
}

}  // namespace

std::unique_ptr<NatsCluster> NatsCluster::start(int nodes) {
  std::unique_ptr<NatsCluster> c(new NatsCluster());
  if (std::system("command -v nats-server >/dev/null 2>&1") != 0) {
    throw std::runtime_error(
        "nats_cluster: nats-server is not installed; tools/install-deps installs it");
  }
  std::string tmpl = (fs::temp_directory_path() / "kino-nats-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("nats_cluster: mkdtemp failed");
  c->dir_ = tmpl;
  // The watchdog: once this process is gone, kill the servers of the pid files and remove dir_.
  c->watchdog_ = spawnArgs(
      {"sh", "-c",
       "while kill -0 \"$0\" 2>/dev/null; do sleep 1; done; "
       "for f in \"$1\"/n*.pid; do [ -f \"$f\" ] && kill -9 \"$(cat \"$f\")\"; done; rm -rf \"$1\"",
       std::to_string(::getpid()), c->dir_.string()},
      "/dev/null", true);
  std::set<int> taken;
  c->nodes_.resize(static_cast<std::size_t>(nodes));
  for (auto& n : c->nodes_) {
    n.client_port = freePort(taken);
    n.cluster_port = freePort(taken);
    n.monitor_port = freePort(taken);
  }
  for (int i = 0; i < nodes; ++i) {
    c->writeConfig(i);
    c->spawn(i);
  }
  c->ensureAllRunning();
  return c;
}

NatsCluster::~NatsCluster() {
  for (auto& n : nodes_) {
    if (n.pid > 0) ::kill(n.pid, SIGTERM);
  }
  for (auto& n : nodes_) {
    if (n.pid <= 0) continue;
    const auto end = std::chrono::steady_clock::now() + 5s;
    while (!ended(n.pid) && std::chrono::steady_clock::now() < end)
      std::this_thread::sleep_for(20ms);
    if (!ended(n.pid)) {
      ::kill(n.pid, SIGKILL);
      ::waitpid(n.pid, nullptr, 0);
    }
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
  if (watchdog_ > 0) {
    ::kill(watchdog_, SIGTERM);
    ::waitpid(watchdog_, nullptr, 0);
  }
}

void NatsCluster::writeConfig(int i) const {
  const auto& n = nodes_[static_cast<std::size_t>(i)];
  std::ofstream conf(dir_ / (name(i) + ".conf"));
  conf << "server_name: " << name(i) << "\n"
       << "listen: 127.0.0.1:" << n.client_port << "\n"
       << "http: 127.0.0.1:" << n.monitor_port << "\n"
       << "pid_file: \"" << (dir_ / (name(i) + ".pid")).string() << "\"\n"
       << "jetstream {\n  store_dir: \"" << (dir_ / ("store-" + name(i))).string() << "\"\n"
       << "  max_memory_store: 64MB\n  max_file_store: 1GB\n}\n"
       << "cluster {\n  name: kino-test\n  listen: 127.0.0.1:" << n.cluster_port
       << "\n  routes: [\n";
  for (const auto& other : nodes_)
    conf << "    nats-route://127.0.0.1:" << other.cluster_port << "\n";
  conf << "  ]\n}\n";
}

void NatsCluster::spawn(int i) {
  auto& n = nodes_[static_cast<std::size_t>(i)];
  n.pid = spawnArgs({"nats-server", "-c", (dir_ / (name(i) + ".conf")).string()},
                    dir_ / (name(i) + ".log"), false);
  if (n.pid <= 0) throw std::runtime_error("nats_cluster: cannot start nats-server");
}

std::string NatsCluster::url(int i) const {
  return "nats://127.0.0.1:" + std::to_string(nodes_[static_cast<std::size_t>(i)].client_port);
}

std::vector<std::string> NatsCluster::urls() const {
  std::vector<std::string> out;
  for (int i = 0; i < size(); ++i) out.push_back(url(i));
  return out;
}

std::string NatsCluster::name(int i) const { return "n" + std::to_string(i + 1); }

bool NatsCluster::running(int i) {
  auto& n = nodes_[static_cast<std::size_t>(i)];
  if (n.pid > 0 && ended(n.pid)) n.pid = -1;
  return n.pid > 0;
}

void NatsCluster::kill(int i) {
  auto& n = nodes_[static_cast<std::size_t>(i)];
  if (n.pid <= 0) return;
  ::kill(n.pid, SIGKILL);
  ::waitpid(n.pid, nullptr, 0);
  n.pid = -1;
  std::error_code ec;
  fs::remove(dir_ / (name(i) + ".pid"), ec);  // so the watchdog never kills a reused pid
}

void NatsCluster::restart(int i) {
  if (!running(i)) spawn(i);
}

bool NatsCluster::ready(int i) const {
  return monitor(i, "/healthz").find("\"ok\"") != std::string::npos;
}

void NatsCluster::ensureAllRunning(std::chrono::milliseconds timeout) {
  for (int i = 0; i < size(); ++i) restart(i);
  const auto end = std::chrono::steady_clock::now() + timeout;
  for (int i = 0; i < size(); ++i) {
    while (!ready(i)) {
      if (!running(i) || std::chrono::steady_clock::now() > end) {
        throw std::runtime_error("nats_cluster: " + name(i) + " is not ready:\n" + logs());
      }
      std::this_thread::sleep_for(50ms);
    }
  }
}

std::string NatsCluster::logs() const {
  std::string out;
  for (int i = 0; i < size(); ++i)
    out += "--- " + name(i) + "\n" + readFile(dir_ / (name(i) + ".log"));
  return out;
}

std::string NatsCluster::monitor(int i, std::string_view path) const {
  return httpGet(nodes_[static_cast<std::size_t>(i)].monitor_port, path);
}

int NatsCluster::serverOfConnection(std::string_view connection) const {
  for (int i = 0; i < size(); ++i) {
    boost::system::error_code ec;
    const auto v = boost::json::parse(monitor(i, "/connz?limit=10000"), ec);
    const auto* conns = ec ? nullptr : field(v, "connections");
    if (!conns || !conns->is_array()) continue;
    for (const auto& c : conns->as_array()) {
      const auto* n = field(c, "name");
      if (n && n->is_string() && n->as_string() == connection) return i;
    }
  }
  return -1;
}

int NatsCluster::leaderOf(std::string_view stream, std::string_view consumer) const {
  for (int i = 0; i < size(); ++i) {
    boost::system::error_code ec;
    const auto v = boost::json::parse(monitor(i, "/jsz?consumers=true"), ec);
    const auto* accounts = ec ? nullptr : field(v, "account_details");
    if (!accounts || !accounts->is_array()) continue;
    for (const auto& account : accounts->as_array()) {
      const auto* streams = field(account, "stream_detail");
      if (!streams || !streams->is_array()) continue;
      for (const auto& s : streams->as_array()) {
        const auto* n = field(s, "name");
        if (!n || !n->is_string() || n->as_string() != stream) continue;
        const boost::json::value* holder = &s;
        if (!consumer.empty()) {
          holder = nullptr;
          const auto* consumers = field(s, "consumer_detail");
          if (consumers && consumers->is_array()) {
            for (const auto& c : consumers->as_array()) {
              const auto* cn = field(c, "name");
              if (cn && cn->is_string() && cn->as_string() == consumer) holder = &c;
            }
          }
          if (!holder) continue;
        }
        const auto* cluster = field(*holder, "cluster");
        const auto* leader = cluster ? field(*cluster, "leader") : nullptr;
        if (!leader || !leader->is_string()) continue;
        for (int j = 0; j < size(); ++j) {
          if (leader->as_string() == name(j)) return j;
        }
      }
    }
  }
  return -1;
}

NatsCluster& sharedNatsCluster() {
  static const std::unique_ptr<NatsCluster> cluster = NatsCluster::start();
  return *cluster;
}

}  // namespace kino::testlib
