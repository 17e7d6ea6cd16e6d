#pragma once
// How many people are in each room right now. The realtime layer reports joins and leaves; the room
// service reads counts for listings and the empty-room timeout. Thread-safe.

#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace kino::rooms {

class PresenceRegistry {
 public:
  void entered(const std::string& slug);
  void left(const std::string& slug);
  int participants(std::string_view slug) const;

 private:
  mutable std::mutex mu_;  // guards counts_
  std::map<std::string, int, std::less<>> counts_;
};

}  // namespace kino::rooms
