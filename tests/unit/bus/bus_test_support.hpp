#pragma once
// Helpers for the Bus tests: delivery happens on the bus's threads, so tests wait for it (bounded,
// polling; nothing is asserted about timing).

#include <chrono>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "kino/bus/bus.hpp"

namespace kino::bus::testing {

// Polls `done` until it holds (true) or `within` has passed (false).
template <class F>
bool eventually(F done, std::chrono::milliseconds within = std::chrono::seconds(10)) {
  const auto end = std::chrono::steady_clock::now() + within;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// What a handler received, as "subject=data" lines (and the data alone).
class Inbox {
 public:
  void add(const Message& m) {
    std::lock_guard lock(mu_);
    got_.push_back(m.subject + "=" + m.data);
    data_.push_back(m.data);
  }
  std::vector<std::string> all() {
    std::lock_guard lock(mu_);
    return got_;
  }
  std::vector<std::string> data() {
    std::lock_guard lock(mu_);
    return data_;
  }
  std::size_t size() {
    std::lock_guard lock(mu_);
    return got_.size();
  }

 private:
  std::mutex mu_;
  std::vector<std::string> got_;
  std::vector<std::string> data_;
};

// 8 random lowercase letters: subjects and consumer names no other test (or earlier run against
// the same servers) uses.
inline std::string uniqueToken() {
  static std::mt19937_64 gen{std::random_device{}()};
  static std::mutex mu;
  std::lock_guard lock(mu);
  std::string token(8, 'a');
  for (auto& c : token) c = static_cast<char>('a' + gen() % 26);
  return token;
}

}  // namespace kino::bus::testing
