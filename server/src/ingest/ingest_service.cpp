#include "kino/ingest/ingest_service.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "kino/common/log.hpp"
#include "kino/ingest/hls_playlist.hpp"
#include "kino/ingest/packaging.hpp"
#include "kino/ingest/probe.hpp"
#include "kino/ingest/process.hpp"
#include "kino/ingest/source_sniff.hpp"
#include "kino/ingest/url_redaction.hpp"

namespace kino::ingest {
namespace {

namespace fs = std::filesystem;
using storage::AssetRecord;

constexpr auto kProgressInterval = std::chrono::milliseconds(500);
constexpr std::uint64_t kMaxPlaylistBytes = 8 * 1024 * 1024;

std::string readFile(const fs::path& p, std::uint64_t max_bytes) {
  std::ifstream in(p, std::ios::binary);
  std::string out(static_cast<std::size_t>(max_bytes), '\0');
  in.read(out.data(), static_cast<std::streamsize>(max_bytes));
  out.resize(static_cast<std::size_t>(in.gcount()));
  return out;
}

// Appends the file `part` to `out` and removes it. False when writing failed.
bool appendAndRemove(std::ofstream& out, const fs::path& part) {
  {
    std::ifstream in(part, std::ios::binary);
    char buf[64 * 1024];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) out.write(buf, in.gcount());
  }
  std::error_code ec;
  fs::remove(part, ec);
  return static_cast<bool>(out);
}

// Segment file names listed in one of our ffmpeg media playlists.
std::vector<std::string> segmentNames(const std::string& playlist) {
  std::vector<std::string> out;
  std::istringstream in(playlist);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && line.front() != '#') out.push_back(line);
  }
  return out;
}

Error failure(std::string message, std::string code = "ingest_failed") {
  return Error::make(ErrorKind::kInvalid, std::move(code), std::move(message));
}

// The lease a node holds while it runs the job of `asset_id`.
std::string leaseOf(const std::string& asset_id) { return "ingest:" + asset_id; }

bool finished(const AssetRecord& a) { return a.state == "ready" || a.state == "failed"; }

// "45 seconds", "90 minutes".
std::string spoken(std::chrono::seconds s) {
  if (s.count() < 120) return std::to_string(s.count()) + (s.count() == 1 ? " second" : " seconds");
  return std::to_string((s.count() + 59) / 60) + " minutes";
}

}  // namespace

std::string appendHistory(const std::string& history_json, std::string_view state,
                          common::TimePoint at) {
  boost::system::error_code ec;
  auto v = boost::json::parse(history_json, ec);
  boost::json::array a = (!ec && v.is_array()) ? v.as_array() : boost::json::array{};
  a.push_back(boost::json::object{{"state", state}, {"at", common::toRfc3339(at)}});
  return boost::json::serialize(a);
}

// One run of one job, under the job's lease (`fence`, granted until `claimed_until`). Lives on an
// ingest worker thread.
class IngestService::Job {
 public:
  Job(IngestService& s, AssetRecord asset, storage::Fence fence, common::TimePoint claimed_until)
      : s_(s),
        a_(std::move(asset)),
        fence_(std::move(fence)),
        claimed_until_(claimed_until),
        renewed_at_(s.clock_.now()) {}

  void run() {
    a_.attempts += 1;
    a_.error.clear();
    work_ = s_.options_.work_dir / a_.id;
    deadline_ = std::chrono::steady_clock::now() + s_.options_.job_timeout;
    std::error_code ec;
    fs::remove_all(work_, ec);
    fs::create_directories(work_, ec);
    auto result = pipeline();
    fs::remove_all(work_, ec);
    if (result) return;
    if (lost_) return;  // another node runs the job now: nothing here is its to change
    Error error = result.error();
    if (error.code == "cancelled") {
      if (!timed_out_ || stopping()) {
        log::info("ingest_interrupted", {{"asset", a_.id}, {"state", a_.state}});
        return;  // stays unfinished; the next start resumes it
      }
      error = failure("Preparing this video took longer than this server's limit of " +
                          spoken(s_.options_.job_timeout) + ", so it was stopped.",
                      "job_too_long");
    }
    a_.state = "failed";
    a_.error = error.message;
    a_.eta_s.reset();
    a_.playable = false;
    unpublish();
    a_.history = appendHistory(a_.history, "failed", s_.clock_.now());
    save();
    log::warn("ingest_failed", {{"asset", a_.id},
                                {"url", redactUrl(a_.source_url)},
                                {"code", error.code},
                                {"error", a_.error}});
  }

 private:
  Result<void> pipeline() {
    if (a_.attempts > 1) {  // a retry or a restart: nothing of the earlier run stays published
      a_.playable = false;
      if (auto r = s_.blobs_.removePrefix(a_.id); !r) return storageFailure(r.error(), a_.id);
    }
    enter("downloading");
    auto input = download();
    if (!input) return input.error();
    a_.percent = 100;
    a_.eta_s.reset();
    save();
    if (!acquirePackagingSlot())
      return Error::make(ErrorKind::kUnavailable, "cancelled", "stopped");
    const PackagingSlot slot(s_);
    enter("probing");
    auto probe = runProbe(*input);
    if (!probe) return probe.error();
    a_.duration_s = probe->duration_s;
    enter("packaging");
    if (auto r = package(*probe, *input); !r) return r;
    a_.state = "ready";
    a_.percent = 100;
    a_.eta_s.reset();
    a_.history = appendHistory(a_.history, "ready", s_.clock_.now());
    save();
    log::info("ingest_ready", {{"asset", a_.id}, {"duration_s", probe->duration_s}});
    return success();
  }

  bool stopping() const {
    common::MutexLock lock(s_.mu_);
    return s_.stopping_;
  }

  // Polled by downloads and child processes: the service is stopping, the job ran out of time, or
  // it lost its lease. Renews the lease when due.
  bool cancelled() {
    if (std::chrono::steady_clock::now() >= deadline_) timed_out_ = true;
    keepClaim();
    return timed_out_ || lost_ || stopping();
  }

  // Renews the job's lease every third of its ttl. The job has lost it when another node took it,
  // or when it could not be renewed before it expired (another node may take it any moment).
  void keepClaim() {
    if (lost_ || !fence_.fenced()) return;
    const auto now = s_.clock_.now();
    if (now - renewed_at_ < s_.options_.claim_ttl / 3) return;
    renewed_at_ = now;
    auto lease =
        s_.store_.leases().acquire(fence_.lease, fence_.holder, now, s_.options_.claim_ttl);
    if (lease && lease->holder == fence_.holder && lease->token == fence_.token) {
      claimed_until_ = lease->expires_at;
      return;
    }
    if (lease) {
      // Taken by another node; or it had expired and this node took it anew, with a new token that
      // no fenced write of this run carries: give it back for the scan to hand out.
      if (lease->holder == fence_.holder) {
        (void)s_.store_.leases().release(fence_.lease, fence_.holder, lease->token);
      }
      loseClaim(lease->holder);
      return;
    }
    log::warn("ingest_claim_renew_failed", {{"asset", a_.id}, {"message", lease.error().message}});
    if (now >= claimed_until_) loseClaim("");
  }

  void loseClaim(const std::string& holder) {
    lost_ = true;
    log::warn("ingest_claim_lost", {{"asset", a_.id}, {"node", fence_.holder}, {"holder", holder}});
  }

  // Releases a packaging slot taken by acquirePackagingSlot.
  class PackagingSlot {
   public:
    explicit PackagingSlot(IngestService& s) : s_(s) {}
    PackagingSlot(const PackagingSlot&) = delete;
    PackagingSlot& operator=(const PackagingSlot&) = delete;
    ~PackagingSlot() {
      {
        common::MutexLock lock(s_.mu_);
        s_.packaging_ -= 1;
      }
      s_.packaging_cv_.notify_one();
    }

   private:
    IngestService& s_;
  };

  // Waits until fewer than `concurrency` jobs package and takes a slot, renewing the job's lease
  // meanwhile; false when the service stops or the lease is lost first. The wait does not count
  // against the job's time limit.
  bool acquirePackagingSlot() {
    const auto since = std::chrono::steady_clock::now();
    const auto renew_every = std::max(std::chrono::milliseconds(100), s_.options_.claim_ttl / 3);
    for (;;) {
      {
        common::MutexLock lock(s_.mu_);
        if (s_.stopping_) return false;
        if (s_.packaging_ < std::max(1, s_.options_.concurrency)) {
          s_.packaging_ += 1;
          break;
        }
        (void)lock.waitUntil(s_.packaging_cv_, std::chrono::steady_clock::now() + renew_every);
      }
      keepClaim();  // without the service's lock: it reaches the store
      if (lost_) return false;
    }
    deadline_ += std::chrono::steady_clock::now() - since;
    return true;
  }

  void enter(const char* state) {
    a_.state = state;
    a_.percent = 0;
    a_.eta_s.reset();
    a_.history = appendHistory(a_.history, state, s_.clock_.now());
    state_started_ = std::chrono::steady_clock::now();
    last_report_ = {};
    save();
  }

  void report(double percent) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_report_ < kProgressInterval) return;
    last_report_ = now;
    a_.percent = std::clamp(percent, 0.0, 100.0);
    const double elapsed = std::chrono::duration<double>(now - state_started_).count();
    if (a_.percent >= 1 && elapsed > 0.5) {
      a_.eta_s = static_cast<int>(std::lround(elapsed * (100 - a_.percent) / a_.percent));
    }
    save();
  }

  // The job's error for a blob that could not be written or removed: the details go to the log, the
  // person sees that the storage failed and that trying again may work.
  Error storageFailure(const Error& cause, const std::string& key) const {
    log::warn("media_store_failed",
              {{"asset", a_.id}, {"key", key}, {"code", cause.code}, {"error", cause.message}});
    return failure(
        "Kino could not save the prepared video to its media storage, so it was not published. "
        "Try again in a few minutes.",
        "media_store_failed");
  }

  // Removes what a failed run published, so a failed asset serves nothing; best effort (a retry
  // removes it again before it starts).
  void unpublish() {
    if (auto r = s_.blobs_.removePrefix(a_.id); !r) {
      log::warn("ingest_unpublish_failed", {{"asset", a_.id}, {"error", r.error().message}});
    }
  }

  // Stores the job's state, fenced by its lease: once another node holds the job, nothing is
  // stored and the job stops at its next cancellation poll.
  void save() {
    if (lost_) return;
    a_.updated_at = s_.clock_.now();
    if (auto r = s_.store_.assets().update(a_, fence_); !r) {
      if (r.error().code == "lease_lost") return loseClaim("");
      log::warn("ingest_save_failed", {{"asset", a_.id}, {"message", r.error().message}});
    }
  }

  // Fetches one URL of the source within what is left of the download time limit.
  Result<Downloaded> fetch(const std::string& url, const fs::path& dest,
                           const DownloadProgress& progress) {
    DownloadLimits limits = s_.options_.limits;
    limits.disk = s_.options_.work_dir;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(
        download_deadline_ - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return failure(
          "The download took too long and was stopped. Try a smaller file or a faster "
          "server.",
          "download_timeout");
    }
    limits.timeout = std::min(limits.timeout, left);
    return s_.downloader_.toFile(url, dest, limits, progress, [this] { return cancelled(); });
  }

  // Downloads the source; returns the one file ffmpeg reads (the download itself, or an HLS
  // source's segments joined).
  Result<fs::path> download() {
    download_deadline_ = std::chrono::steady_clock::now() + s_.options_.limits.timeout;
    const fs::path source = work_ / "source";
    auto got = fetch(a_.source_url, source, [this](std::uint64_t done, std::uint64_t total) {
      if (total > 0) report(100.0 * static_cast<double>(done) / static_cast<double>(total));
    });
    if (!got) return got.error();
    const auto kind = sniffSource(got->content_type, got->final_url, readFile(source, kSniffBytes));
    if (kind == SourceKind::kMediaFile) return source;
    return downloadHls(readFile(source, kMaxPlaylistBytes), got->final_url);
  }

  // Fetches the media playlist (through a master playlist if need be), then its init section and
  // segments in order, appending each to one file: MPEG-TS segments join into one MPEG-TS stream,
  // an fMP4 init section and its fragments into one fragmented MP4.
  Result<fs::path> downloadHls(const std::string& text, std::string base) {
    auto playlist = parseHlsPlaylist(text);
    if (!playlist) return failure(playlist.error().message, playlist.error().code);
    if (playlist->is_master) {
      auto uri = resolveUri(base, bestVariant(*playlist)->uri);
      if (!uri) return failure(uri.error().message, uri.error().code);
      const fs::path media = work_ / "media.m3u8";
      auto got = fetch(*uri, media, {});
      if (!got) return got.error();
      base = got->final_url;
      playlist = parseHlsPlaylist(readFile(media, kMaxPlaylistBytes));
      if (!playlist) return failure(playlist.error().message, playlist.error().code);
      if (playlist->is_master) {
        return failure("The HLS playlist nests master playlists.", "nested_master");
      }
    }
    const fs::path joined = work_ / "joined";
    const fs::path part = work_ / "part";
    std::ofstream out(joined, std::ios::binary | std::ios::trunc);
    if (!out) return Error::internal("cannot write " + joined.string());
    std::uint64_t total_bytes = 0;
    auto append = [&](const std::string& reference) -> Result<void> {
      auto uri = resolveUri(base, reference);
      if (!uri) return failure(uri.error().message, uri.error().code);
      auto got = fetch(*uri, part, {});
      if (!got) return got.error();
      total_bytes += got->bytes;
      if (total_bytes > s_.options_.limits.max_bytes) {
        return failure("The video is larger than this server's limit.", "too_large");
      }
      if (!appendAndRemove(out, part)) return Error::internal("writing " + joined.string());
      return success();
    };
    if (playlist->init_uri) {
      if (auto r = append(*playlist->init_uri); !r) return r.error();
    }
    const auto n = playlist->segments.size();
    for (std::size_t i = 0; i < n; ++i) {
      if (auto r = append(playlist->segments[i].uri); !r) return r.error();
      report(100.0 * static_cast<double>(i + 1) / static_cast<double>(n));
    }
    out.close();
    if (!out) return Error::internal("writing " + joined.string());
    return joined;
  }

  Result<ProbeResult> runProbe(const fs::path& input) {
    auto out = runProcess(
        s_.options_.ffprobe, probeArgs(input), nullptr, [this] { return cancelled(); },
        /*keep_stdout=*/true);
    if (!out) return out.error();
    if (out->exit_code != 0) {
      return readFailure(out->stderr_tail, "not_a_video",
                         "This file is not a video Kino can read. Use a link to a video file (mp4, "
                         "webm, mkv, mov…) or an HLS playlist.");
    }
    auto probe = parseProbe(out->stdout_text);
    if (!probe) return failure(probe.error().message, probe.error().code);
    return probe;
  }

  Result<void> package(const ProbeResult& probe, const fs::path& input) {
    const PackagingPlan plan = planPackaging(probe, s_.options_.max_rungs);
    const fs::path out_dir = work_ / "out";
    for (std::size_t i = 0; i < plan.rungs.size(); ++i) {
      fs::create_directories(out_dir / ("v" + std::to_string(i)));
    }
    const std::string master = masterPlaylist(plan, probe);
    auto args = packagingArgs(plan, input, out_dir, s_.options_.segment_seconds);
    auto last_publish = std::chrono::steady_clock::now();
    std::optional<Error> publish_error;  // stops ffmpeg: the job fails at once
    auto out = runProcess(
        s_.options_.ffmpeg, args,
        [&](std::string_view line) {
          if (auto t = progressSeconds(line); t && probe.duration_s > 0) {
            report(100.0 * *t / probe.duration_s);
          }
          if (!publish_error &&
              std::chrono::steady_clock::now() - last_publish > std::chrono::seconds(1)) {
            last_publish = std::chrono::steady_clock::now();
            if (auto r = publish(out_dir, plan.rungs.size(), master); !r) publish_error = r.error();
          }
        },
        [&] { return publish_error.has_value() || cancelled(); });
    if (publish_error) return *publish_error;
    if (!out) return out.error();
    if (out->exit_code != 0) {
      log::warn("ffmpeg_failed", {{"asset", a_.id}, {"stderr", out->stderr_tail}});
      return readFailure(out->stderr_tail, "packaging_failed",
                         "Packaging the video failed; the file may be damaged or use an unusual "
                         "format. Try another link.");
    }
    if (auto r = publish(out_dir, plan.rungs.size(), master); !r) return r;
    if (!a_.playable) return failure("Packaging produced no video segments.", "packaging_failed");
    const fs::path poster = work_ / "poster.jpg";
    auto shot = runProcess(s_.options_.ffmpeg, posterArgs(probe, input, poster), nullptr,
                           [this] { return cancelled(); });
    if (shot && shot->exit_code == 0 && fs::exists(poster)) {
      const std::string key = a_.id + "/poster.jpg";
      if (auto r = s_.blobs_.putFile(key, poster); !r) return storageFailure(r.error(), key);
    }
    return success();
  }

  // Publishes every segment ffmpeg has finished (those its playlists list), then each rendition's
  // playlist, then (once every rendition has a segment) the master playlist, last: a player only
  // ever finds playlists whose segments are published, and the room can start playing. A blob
  // that cannot be written stops here with storageFailure; what is published stays consistent.
  Result<void> publish(const fs::path& out_dir, std::size_t renditions, const std::string& master) {
    if (lost_) return Error::make(ErrorKind::kUnavailable, "cancelled", "the job's lease was lost");
    bool all_started = true;
    for (std::size_t i = 0; i < renditions; ++i) {
      const std::string v = "v" + std::to_string(i);
      const fs::path playlist_path = out_dir / v / "index.m3u8";
      std::error_code ec;
      if (!fs::exists(playlist_path, ec)) {
        all_started = false;
        continue;
      }
      const std::string playlist = readFile(playlist_path, kMaxPlaylistBytes);
      const auto names = segmentNames(playlist);
      if (names.empty()) all_started = false;
      auto& done = published_[v];
      for (const auto& name : names) {
        if (done.contains(name)) continue;
        std::string key = a_.id;
        key.append("/").append(v).append("/").append(name);
        if (auto r = s_.blobs_.putFile(key, out_dir / v / name); !r) {
          return storageFailure(r.error(), key);
        }
        done.insert(name);
      }
      const std::string playlist_key = a_.id + "/" + v + "/index.m3u8";
      if (auto r = s_.blobs_.putBytes(playlist_key, playlist); !r) {
        return storageFailure(r.error(), playlist_key);
      }
    }
    if (all_started && !a_.playable) {
      const std::string master_key = a_.id + "/master.m3u8";
      if (auto r = s_.blobs_.putBytes(master_key, master); !r) {
        return storageFailure(r.error(), master_key);
      }
      a_.playable = true;
      save();
    }
    return success();
  }

  IngestService& s_;
  AssetRecord a_;
  const storage::Fence fence_;
  common::TimePoint claimed_until_;
  common::TimePoint renewed_at_;
  bool lost_ = false;
  fs::path work_;
  std::chrono::steady_clock::time_point deadline_{};           // of the whole job
  std::chrono::steady_clock::time_point download_deadline_{};  // of all fetches of the source
  bool timed_out_ = false;
  std::chrono::steady_clock::time_point state_started_{};
  std::chrono::steady_clock::time_point last_report_{};
  std::map<std::string, std::set<std::string>> published_;
};

IngestService::IngestService(storage::Store& store, storage::BlobStore& blobs,
                             Downloader& downloader, const common::Clock& clock,
                             common::Random& random, IngestOptions options)
    : store_(store), blobs_(blobs), downloader_(downloader), clock_(clock), random_(random),
      options_(std::move(options)) {}

IngestService::~IngestService() { stop(); }

void IngestService::start() {
  std::error_code ec;
  fs::create_directories(options_.work_dir, ec);
  if (options_.sole_node) {
    // One process uses this store: a lease another holder has on a job is an earlier run's.
    if (auto unfinished = store_.assets().listUnfinished()) {
      for (const auto& a : *unfinished) {
        auto lease = store_.leases().find(leaseOf(a.id));
        if (lease && lease->holder != options_.node_id) {
          (void)store_.leases().release(lease->name, lease->holder, lease->token);
        }
      }
    }
  }
  claimOrphans();
  const int threads = std::max({1, options_.concurrency, options_.download_concurrency});
  for (int i = 0; i < threads; ++i) {
    workers_.emplace_back([this] { workerLoop(); });
  }
  scanner_ = std::thread([this] { scannerLoop(); });
}

void IngestService::stop() {
  {
    common::MutexLock lock(mu_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  packaging_cv_.notify_all();
  scan_cv_.notify_all();
  for (auto& t : workers_) t.join();
  workers_.clear();
  if (scanner_.joinable()) scanner_.join();
}

void IngestService::claimOrphans() {
  auto unfinished = store_.assets().listUnfinished();
  if (!unfinished) {
    log::warn("ingest_scan_failed", {{"message", unfinished.error().message}});
    return;
  }
  for (const auto& a : *unfinished) {
    {
      common::MutexLock lock(mu_);
      if (stopping_) return;
      if (active_.contains(a.id)) continue;
    }
    auto lease = store_.leases().find(leaseOf(a.id));
    if (!lease && lease.error().kind != ErrorKind::kNotFound) continue;  // try at the next scan
    if (lease && lease->holder != options_.node_id && lease->expires_at > clock_.now()) {
      continue;  // another node runs it
    }
    enqueueIfIdle(a.id);
  }
}

void IngestService::scannerLoop() {
  for (;;) {
    {
      common::MutexLock lock(mu_);
      const auto due = std::chrono::steady_clock::now() + options_.claim_scan;
      while (!stopping_ && lock.waitUntil(scan_cv_, due)) {
      }
      if (stopping_) return;
    }
    claimOrphans();
  }
}

void IngestService::enqueueIfIdle(const std::string& asset_id) {
  {
    common::MutexLock lock(mu_);
    if (!active_.insert(asset_id).second) return;
    queue_.push_back(asset_id);
  }
  cv_.notify_one();
}

void IngestService::enqueue(const std::string& asset_id) {
  {
    common::MutexLock lock(mu_);
    if (!active_.insert(asset_id).second) {
      rerun_.insert(asset_id);  // queued or still finishing: run it once more afterwards
      return;
    }
    queue_.push_back(asset_id);
  }
  cv_.notify_one();
}

void IngestService::workerLoop() {
  for (;;) {
    std::string id;
    {
      common::MutexLock lock(mu_);
      while (!stopping_ && queue_.empty()) lock.wait(cv_);
      if (stopping_) return;
      id = queue_.front();
      queue_.pop_front();
    }
    runClaimed(id);
    bool again = false;
    {
      common::MutexLock lock(mu_);
      again = rerun_.erase(id) > 0;
      if (again) {
        queue_.push_back(id);
      } else {
        active_.erase(id);
      }
    }
    if (again) cv_.notify_one();
  }
}

void IngestService::runClaimed(const std::string& id) {
  const std::string lease = leaseOf(id);
  const std::string& node = options_.node_id;
  auto claim = store_.leases().acquire(lease, node, clock_.now(), options_.claim_ttl);
  if (!claim) {
    log::warn("ingest_claim_failed", {{"asset", id}, {"message", claim.error().message}});
    return;  // the next scan queues it again
  }
  if (claim->holder != node) return;  // another node runs it
  const storage::Fence fence{lease, node, claim->token};
  // A job that has finished since it was queued is not run again (a second enqueue is a no-op).
  if (auto asset = store_.assets().find(id); asset && !finished(*asset)) {
    if (asset->state != "queued") {
      // An earlier run stopped part-way (its node died, or stopped): start over from a clean state
      // (the job removes what that run published).
      asset->state = "queued";
      asset->percent = 0;
      asset->eta_s.reset();
      asset->updated_at = clock_.now();
      asset->history = appendHistory(asset->history, "queued", asset->updated_at);
      if (auto r = store_.assets().update(*asset, fence); !r) {
        log::warn("ingest_save_failed", {{"asset", id}, {"message", r.error().message}});
        (void)store_.leases().release(lease, node, claim->token);
        return;  // the next scan tries again
      }
      log::info("ingest_resumed", {{"asset", id}, {"url", redactUrl(asset->source_url)}});
    }
    log::info("ingest_claimed", {{"asset", id}, {"node", node}, {"token", claim->token}});
    Job(*this, std::move(asset).value(), fence, claim->expires_at).run();
  }
  (void)store_.leases().release(lease, node, claim->token);
}

Result<AssetRecord> IngestService::request(const std::string& source_url) {
  if (auto existing = store_.assets().findReusable(source_url)) return existing;
  AssetRecord a;
  a.id = common::randomString(random_, "abcdefghijklmnopqrstuvwxyz0123456789", 20);
  a.source_url = source_url;
  a.state = "queued";
  a.created_at = a.updated_at = clock_.now();
  a.history = appendHistory("[]", "queued", a.created_at);
  if (auto r = store_.assets().create(a); !r) return r.error();
  enqueue(a.id);
  return a;
}

Result<AssetRecord> IngestService::retry(const std::string& asset_id) {
  auto a = store_.assets().find(asset_id);
  if (!a) return a.error();
  if (a->state != "failed") {
    return Error::make(ErrorKind::kConflict, "not_failed", "Only a failed download can be retried.");
  }
  a->state = "queued";
  a->percent = 0;
  a->error.clear();
  a->playable = false;
  a->updated_at = clock_.now();
  a->history = appendHistory(a->history, "queued", a->updated_at);
  if (auto r = store_.assets().update(*a); !r) return r.error();
  enqueue(a->id);  // the job removes what the failed run left before it starts
  return a;
}

}  // namespace kino::ingest
