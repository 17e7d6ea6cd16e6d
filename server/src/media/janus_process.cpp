#include "kino/media/janus_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <vector>

#include "kino/common/log.hpp"

extern char** environ;

namespace kino::media {

Result<std::uint16_t> freeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Error::internal("socket: " + errnoText(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return Error::internal("bind: " + errnoText(errno));
  }
  close(fd);
  return ntohs(addr.sin_port);
}

JanusProcess::JanusProcess(std::string binary, JanusSettings settings)
    : binary_(std::move(binary)), settings_(std::move(settings)) {}

JanusProcess::~JanusProcess() { stop(); }

Result<void> JanusProcess::start() {
  if (settings_.ws_port == 0) {
    auto port = freeLoopbackPort();
    if (!port) return port.error();
    settings_.ws_port = *port;
  }
  if (auto r = writeJanusConfig(settings_); !r) return r;
  thread_ = std::thread([this] { supervise(); });
  return success();
}

int JanusProcess::spawnOnce() {
  const std::string dir = settings_.config_dir.string();
  const std::string cfg = (settings_.config_dir / "janus.jcfg").string();
  const std::string log_file = (settings_.config_dir / "janus.log").string();
  std::vector<std::string> args = {binary_, "-F", dir, "-C", cfg, "-o", "-L", log_file, "-N"};
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    log::warn("janus_start_failed", {{"binary", binary_}, {"error", errnoText(errno)}});
    return 0;
  }
  if (pid == 0) {
    // The child: die with Kino (no orphaned Janus holding ports), quiet stdio, then exec.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    const int devnull = open("/dev/null", O_RDWR);
    dup2(devnull, 0);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execvp(binary_.c_str(), argv.data());
    _exit(127);
  }
  log::info("janus_started", {{"pid", pid}, {"ws", wsUrl()}});
  return pid;
}

void JanusProcess::supervise() {
  auto backoff = std::chrono::seconds(1);
  for (;;) {
    {
      common::MutexLock lock(mu_);
      if (stopping_) return;
    }
    const int pid = spawnOnce();
    pid_ = pid;
    const auto started = std::chrono::steady_clock::now();
    if (pid > 0) {
      int status = 0;
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      pid_ = 0;
      common::MutexLock lock(mu_);
      if (stopping_) return;
      log::warn("janus_exited", {{"pid", pid},
                                 {"status", WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status)}});
    }
    if (std::chrono::steady_clock::now() - started > std::chrono::seconds(30)) {
      backoff = std::chrono::seconds(1);  // it ran for a while: restart promptly
    }
    common::MutexLock lock(mu_);
    const auto resume_at = std::chrono::steady_clock::now() + backoff;
    while (!stopping_ && lock.waitUntil(cv_, resume_at)) {
    }
    if (stopping_) return;
    backoff = std::min(backoff * 2, std::chrono::seconds(10));
    ++restarts_;
  }
}

void JanusProcess::stop() {
  {
    common::MutexLock lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (const int pid = pid_.load(); pid > 0) {
    kill(pid, SIGTERM);
    for (int i = 0; i < 30 && pid_.load() > 0; ++i) usleep(100000);
    if (pid_.load() > 0) kill(pid, SIGKILL);
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace kino::media
