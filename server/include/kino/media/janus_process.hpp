#pragma once
// The embedded Janus: Kino writes its config (janus_config.hpp), starts `janus` as a child process,
// and restarts it when it dies (backoff 1 s doubling to 10 s). Thread-safe.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "kino/common/result.hpp"
#include "kino/media/janus_config.hpp"
#include "kino/common/mutex.hpp"

namespace kino::media {

class JanusProcess {
 public:
  // `settings.ws_port` 0 picks a free loopback port.
  JanusProcess(std::string binary, JanusSettings settings);
  ~JanusProcess();

  // Writes the config and starts the supervisor thread (which starts Janus).
  Result<void> start();
  // Stops Janus (SIGTERM, then SIGKILL after 3 s) and the supervisor.
  void stop();

  std::string wsUrl() const { return "ws://127.0.0.1:" + std::to_string(settings_.ws_port); }
  const JanusSettings& settings() const { return settings_; }
  int pid() const { return pid_.load(); }        // 0 while not running
  int restarts() const { return restarts_.load(); }

 private:
  void supervise();
  int spawnOnce();

  std::string binary_;
  JanusSettings settings_;
  std::atomic<int> pid_{0};
  std::atomic<int> restarts_{0};
  common::Mutex mu_;
  std::condition_variable cv_;
  bool stopping_ KINO_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// A free TCP port on 127.0.0.1 (bound and released; a small race is acceptable for a child's port).
Result<std::uint16_t> freeLoopbackPort();

}  // namespace kino::media
