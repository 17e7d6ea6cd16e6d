#include "kino/app/cluster_job.hpp"

#include <utility>

#include "kino/common/log.hpp"

namespace kino::app {

ClusterJob::ClusterJob(storage::LeaseRepository& leases, const common::Clock& clock,
                       std::string node_id, std::string name, std::chrono::milliseconds period,
                       std::function<void()> task, std::chrono::milliseconds ttl)
    : leases_(leases),
      clock_(clock),
      node_id_(std::move(node_id)),
      lease_("job:" + std::move(name)),
      period_(period),
      ttl_(ttl.count() > 0 ? ttl : 3 * period),
      task_(std::move(task)) {}

ClusterJob::~ClusterJob() { release(); }

bool ClusterJob::tick() {
  auto lease = leases_.acquire(lease_, node_id_, clock_.now(), ttl_);
  if (!lease) {
    log::warn("cluster_job_lease_failed", {{"job", lease_}, {"message", lease.error().message}});
    return false;
  }
  const bool held = lease->holder == node_id_;
  if (held && token_ != lease->token) {
    log::info("cluster_job_taken", {{"job", lease_}, {"node", node_id_}, {"token", lease->token}});
  } else if (!held && token_) {
    log::warn("cluster_job_lost", {{"job", lease_}, {"node", node_id_}, {"holder", lease->holder}});
  }
  token_ = held ? std::optional<std::int64_t>(lease->token) : std::nullopt;
  if (!held) return false;
  task_();
  return true;
}

void ClusterJob::release() {
  if (!token_) return;
  if (auto r = leases_.release(lease_, node_id_, *token_); !r) {
    log::warn("cluster_job_release_failed", {{"job", lease_}, {"message", r.error().message}});
  }
  token_.reset();
}

std::string resolveNodeId(const std::string& configured, common::Random& random) {
  const bool generated = configured.empty();
  std::string id =
      generated ? "n-" + common::randomString(random, "abcdefghijklmnopqrstuvwxyz0123456789", 8)
                : configured;
  log::info("node_id", {{"node_id", id}, {"generated", generated}});
  return id;
}

}  // namespace kino::app
