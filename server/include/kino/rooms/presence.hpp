#pragma once
// How many people are in each room right now. The realtime layer reports joins and leaves of the
// rooms this node runs; in a cluster each node also reports its counts to the others (through the
// realtime hub), so listings and the empty-room timeout see every node's people. Thread-safe.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "kino/common/clock.hpp"
#include "kino/common/mutex.hpp"

namespace kino::rooms {

class PresenceRegistry {
 public:
  // `clock` dates the other nodes' reports; null: the system clock.
  explicit PresenceRegistry(const common::Clock* clock = nullptr);

  void entered(const std::string& slug);
  void left(const std::string& slug);
  // People in the room: this node's count plus the live reports of the other nodes.
  int participants(std::string_view slug) const;
  // The rooms with at least one person in them, by slug.
  std::vector<std::string> occupied() const;

  // This node's counts (the rooms it runs), to report to the other nodes.
  std::map<std::string, int> local() const;
  // Replaces what `node` reported. Its counts hold until `until`: a node that stops reporting (it
  // died) counts for nobody after that.
  void replaceRemote(const std::string& node, std::map<std::string, int> counts,
                     common::TimePoint until);

 private:
  struct Report {
    std::map<std::string, int, std::less<>> counts;
    common::TimePoint until;
  };
  const common::Clock& clock_;
  mutable common::Mutex mu_;
  std::map<std::string, int, std::less<>> counts_ KINO_GUARDED_BY(mu_);
  std::map<std::string, Report> remote_ KINO_GUARDED_BY(mu_);  // by node
};

}  // namespace kino::rooms
