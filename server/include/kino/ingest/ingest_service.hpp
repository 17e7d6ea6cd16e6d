#pragma once
// The ingest job queue: queued → downloading → probing → packaging → ready | failed. Jobs are
// stored (assets table), survive restarts (unfinished ones start again), run on their own threads
// and publish HLS into the BlobStore as segments appear, so a room can start playing before
// packaging ends. The same source URL is ingested once and reused.
//
// Slots: `download_concurrency` jobs run at once; of these, `concurrency` probe and package
// (ffmpeg, CPU-bound) at once. A job that has downloaded its source waits for a packaging slot in
// "downloading" at 100%. So one slow source holds one download slot, not the queue, and it holds
// that only until the speed limit (DownloadLimits::min_bytes_per_s), the download time limit (all
// of a source's fetches together) or the job time limit (`job_timeout`, not counting the wait for
// a packaging slot) stops it; each of these fails the job with its own error code.
//
// ffmpeg and ffprobe only ever read one local file Kino named (probe.hpp): a file source as it was
// downloaded, or an HLS source's segments, fetched by Kino and joined into one file.
//
// Several Kino nodes on one store share the jobs (docs/design/0004-cluster-leases.md): a worker
// runs a job only after claiming the lease "ingest:<asset id>" for this node, renews it while the
// job runs (every third of `claim_ttl`, from the job's cancellation polling, also while it waits
// for a packaging slot) and releases it at the end; a job another live node holds is skipped. Every
// job state the worker stores is fenced by that lease, and a job that loses it (it could not renew
// in time and another node took it over) stops at once without writing or removing anything. Every
// `claim_scan` each node queues the unfinished jobs no live node holds, which is how a dead node's
// jobs are resumed elsewhere: from a clean state, the earlier run's published blobs removed. Within
// a node, a job is queued or running at most once (`active_`).

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "kino/common/clock.hpp"
#include "kino/common/mutex.hpp"
#include "kino/common/random.hpp"
#include "kino/ingest/downloader.hpp"
#include "kino/storage/blob_store.hpp"
#include "kino/storage/store.hpp"

namespace kino::ingest {

struct IngestOptions {
  int concurrency = 1;           // jobs probing and packaging at once
  int download_concurrency = 4;  // jobs running at once (at least `concurrency`)
  std::chrono::seconds job_timeout{6 * 3600};
  DownloadLimits limits;  // `timeout` bounds all the fetches of one source together
  int segment_seconds = 6;
  int max_rungs = 3;
  std::string ffmpeg = "ffmpeg";
  std::string ffprobe = "ffprobe";
  std::filesystem::path work_dir;  // scratch space for downloads and packaging
  std::string node_id = "local";   // this node: the holder of the leases of the jobs it runs
  std::chrono::milliseconds claim_ttl{30'000};   // a job's lease lasts this long unless renewed
  std::chrono::milliseconds claim_scan{10'000};  // how often unclaimed unfinished jobs are sought
  // No other node uses this store (SQLite): the leases an earlier run of this installation left on
  // unfinished jobs (under another node id) are void, so start() resumes them at once.
  bool sole_node = false;
};

class IngestService {
 public:
  IngestService(storage::Store& store, storage::BlobStore& blobs, Downloader& downloader,
                const common::Clock& clock, common::Random& random, IngestOptions options);
  ~IngestService();

  // Queues the unfinished jobs no live node holds (a restart resumes them), starts the workers and
  // the scanner that does the same every `claim_scan`.
  void start();
  // Stops the workers and the scanner; running jobs are cancelled, stay unfinished and their leases
  // are released (another node, or the next start, resumes them).
  void stop();
  // Queues every unfinished job that no live node holds and this node does not have queued or
  // running: jobs of a dead node, jobs another node queued but has not started. Blocks on the
  // store. Thread-safe.
  void claimOrphans();

  // The asset for `source_url`: an existing one that has not failed, or a new queued job.
  // Blocks on the store.
  Result<storage::AssetRecord> request(const std::string& source_url);
  // Queues a failed asset again. kConflict when it has not failed.
  Result<storage::AssetRecord> retry(const std::string& asset_id);

 private:
  class Job;
  void enqueue(const std::string& asset_id);
  // Queues the job unless it is queued or running here already.
  void enqueueIfIdle(const std::string& asset_id);
  void workerLoop();
  void scannerLoop();
  // Claims the job's lease, runs the job if this node got it and it has not finished, releases.
  void runClaimed(const std::string& asset_id);

  storage::Store& store_;
  storage::BlobStore& blobs_;
  Downloader& downloader_;
  const common::Clock& clock_;
  common::Random& random_;
  IngestOptions options_;

  common::Mutex mu_;
  std::condition_variable cv_;
  std::condition_variable packaging_cv_;  // a packaging slot was freed, or stopping_
  std::condition_variable scan_cv_;       // stopping_ (wakes the scanner, and only it)
  int packaging_ KINO_GUARDED_BY(mu_) = 0;  // jobs holding a packaging slot
  std::deque<std::string> queue_ KINO_GUARDED_BY(mu_);
  std::set<std::string> active_ KINO_GUARDED_BY(mu_);  // queued or running
  std::set<std::string> rerun_ KINO_GUARDED_BY(mu_);   // enqueued again while active
  bool stopping_ KINO_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
  std::thread scanner_;
};

// Appends {"state", "at"} to a job history (a JSON array).
std::string appendHistory(const std::string& history_json, std::string_view state,
                          common::TimePoint at);

}  // namespace kino::ingest
