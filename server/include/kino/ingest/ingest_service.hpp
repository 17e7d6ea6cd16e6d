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
};

class IngestService {
 public:
  IngestService(storage::Store& store, storage::BlobStore& blobs, Downloader& downloader,
                const common::Clock& clock, common::Random& random, IngestOptions options);
  ~IngestService();

  // Re-queues unfinished jobs (a restart resumes them) and starts the workers.
  void start();
  // Stops the workers; running jobs are cancelled and stay unfinished (resumed at next start).
  void stop();

  // The asset for `source_url`: an existing one that has not failed, or a new queued job.
  // Blocks on the store.
  Result<storage::AssetRecord> request(const std::string& source_url);
  // Queues a failed asset again. kConflict when it has not failed.
  Result<storage::AssetRecord> retry(const std::string& asset_id);

 private:
  class Job;
  void enqueue(const std::string& asset_id);
  void workerLoop();

  storage::Store& store_;
  storage::BlobStore& blobs_;
  Downloader& downloader_;
  const common::Clock& clock_;
  common::Random& random_;
  IngestOptions options_;

  common::Mutex mu_;
  std::condition_variable cv_;
  std::condition_variable packaging_cv_;  // a packaging slot was freed, or stopping_
  int packaging_ KINO_GUARDED_BY(mu_) = 0;  // jobs holding a packaging slot
  std::deque<std::string> queue_ KINO_GUARDED_BY(mu_);
  std::set<std::string> active_ KINO_GUARDED_BY(mu_);  // queued or running
  std::set<std::string> rerun_ KINO_GUARDED_BY(mu_);   // enqueued again while active
  bool stopping_ KINO_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
};

// Appends {"state", "at"} to a job history (a JSON array).
std::string appendHistory(const std::string& history_json, std::string_view state,
                          common::TimePoint at);

}  // namespace kino::ingest
