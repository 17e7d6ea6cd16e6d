#pragma once
// How many people are in each room right now. The realtime layer reports joins and leaves; the room
// service reads counts for listings and the empty-room timeout. Thread-safe.

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "kino/common/mutex.hpp"

namespace kino::rooms {

class PresenceRegistry {
 public:
  void entered(const std::string& slug);
  void left(const std::string& slug);
  int participants(std::string_view slug) const;
  // The rooms with at least one person in them, by slug.
  std::vector<std::string> occupied() const;

 private:
  mutable common::Mutex mu_;
  std::map<std::string, int, std::less<>> counts_ KINO_GUARDED_BY(mu_);
};

}  // namespace kino::rooms
