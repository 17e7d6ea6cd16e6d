#pragma once
// A private NATS cluster for tests: `nodes` nats-server processes (Debian's nats-server) with
// JetStream, named n1..nN, on 127.0.0.1 at free ports (client, cluster routes, monitoring), each
// with its own store directory inside one new temporary directory. Ready once every server's
// /healthz says ok (in NATS 2.9 that includes a current JetStream meta group). A watchdog kills the
// servers and removes the directory if the test process dies without doing so.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kino::testlib {

class NatsCluster {
 public:
  // Starts the servers and waits until all are ready; throws std::runtime_error (with the servers'
  // logs) when nats-server is missing or they are not ready within 30 s.
  static std::unique_ptr<NatsCluster> start(int nodes = 3);
  ~NatsCluster();  // stops every server (SIGTERM, SIGKILL after 5 s) and removes the directory
  NatsCluster(const NatsCluster&) = delete;
  NatsCluster& operator=(const NatsCluster&) = delete;

  int size() const { return static_cast<int>(nodes_.size()); }
  std::string url(int i) const;  // "nats://127.0.0.1:<client port>"
  std::vector<std::string> urls() const;
  std::string name(int i) const;  // its server_name, "n<i+1>"
  bool running(int i);            // reaps a server that ended by itself

  // SIGKILL, and waits until the process is gone.
  void kill(int i);
  // Starts server i again (same ports, same store) without waiting for it to be ready.
  void restart(int i);
  // Restarts every stopped server, then waits until all are ready (throws after `timeout`).
  void ensureAllRunning(std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // GET http://127.0.0.1:<monitoring port of i><path>: the body, "" when the server does not
  // answer.
  std::string monitor(int i, std::string_view path) const;
  // The server a client connection named `name` is connected to (from /connz), or -1.
  int serverOfConnection(std::string_view name) const;
  // The server leading `stream`, or its `consumer` when given (from /jsz), or -1 (none right now).
  int leaderOf(std::string_view stream, std::string_view consumer = {}) const;

 private:
  struct Node {
    int client_port = 0;
    int cluster_port = 0;
    int monitor_port = 0;
    pid_t pid = -1;
  };
  NatsCluster() = default;
  void writeConfig(int i) const;
  void spawn(int i);
  bool ready(int i) const;
  std::string logs() const;

  std::filesystem::path dir_;
  std::vector<Node> nodes_;
  pid_t watchdog_ = -1;
};

// The one cluster of this test binary run, started on first use and stopped at exit.
NatsCluster& sharedNatsCluster();

}  // namespace kino::testlib
