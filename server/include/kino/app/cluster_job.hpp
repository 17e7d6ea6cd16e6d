#pragma once
// Periodic work that must run on one Kino node at a time cluster-wide (the room sweeper, store
// upkeep; docs/design/0004-cluster-leases.md). Each period the node takes or renews the lease
// "job:<name>" and runs the task only while it holds it. A grant lasts `ttl` (three periods by
// default), so the node running a job keeps it while it lives and ticks; when it dies without
// releasing (SIGKILL), another node takes the job over at its first tick after the lease expired.
// On a single node (SQLite) the lease is always granted: the job simply runs every period.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "kino/common/clock.hpp"
#include "kino/common/random.hpp"
#include "kino/storage/store.hpp"

namespace kino::app {

class ClusterJob {
 public:
  // `ttl` zero: three periods. `leases`, `clock` and the task's captures must outlive the job.
  ClusterJob(storage::LeaseRepository& leases, const common::Clock& clock, std::string node_id,
             std::string name, std::chrono::milliseconds period, std::function<void()> task,
             std::chrono::milliseconds ttl = std::chrono::milliseconds(0));
  // Releases the lease if this node holds it (a clean shutdown hands the job on at once).
  ~ClusterJob();
  ClusterJob(const ClusterJob&) = delete;
  ClusterJob& operator=(const ClusterJob&) = delete;

  // One period: takes or renews the lease, then runs the task if this node holds it. Returns
  // whether the task ran. When the store cannot be reached the task does not run (another node may
  // hold the lease). Blocks on the store and the task; call from one thread at a time.
  bool tick();
  // Gives the lease up if this node holds it; a later tick may take it again.
  void release();

  std::chrono::milliseconds period() const { return period_; }

 private:
  storage::LeaseRepository& leases_;
  const common::Clock& clock_;
  const std::string node_id_;
  const std::string lease_;  // "job:<name>"
  const std::chrono::milliseconds period_;
  const std::chrono::milliseconds ttl_;
  std::function<void()> task_;
  std::optional<std::int64_t> token_;  // the lease's token while this node holds it
};

// `configured` ([cluster] node_id) when set, else a new id "n-" + 8 random [a-z0-9] (so a restarted
// node is a new node). Logs the id in force ("node_id").
std::string resolveNodeId(const std::string& configured, common::Random& random);

}  // namespace kino::app
