#include "kino/app/app.hpp"

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <system_error>
#include <functional>
#include <thread>

#include "kino/accounts/account_service.hpp"
#include "kino/accounts/guest_tokens.hpp"
#include "kino/api/app_pages.hpp"
#include "kino/api/auth_routes.hpp"
#include "kino/api/health_routes.hpp"
#include "kino/api/media_routes.hpp"
#include "kino/api/realtime_admission.hpp"
#include "kino/api/room_routes.hpp"
#include "kino/app/backup.hpp"
#include "kino/app/cluster_job.hpp"
#include "kino/app/store_placement_book.hpp"
#include "kino/bus/local_bus.hpp"
#include "kino/bus/nats_bus.hpp"
#include "kino/common/config.hpp"
#include "kino/common/log.hpp"
#include "kino/common/url_signer.hpp"
#include "kino/http/server.hpp"
#include "kino/ingest/downloader.hpp"
#include "kino/ingest/ingest_service.hpp"
#include "kino/media/janus_client.hpp"
#include "kino/media/janus_process.hpp"
#include "kino/media/janus_pool.hpp"
#include "kino/storage/disk_blob_store.hpp"
#include "kino/storage/s3_blob_store.hpp"
#include "kino/realtime/connection_registry.hpp"
#include "kino/realtime/room_hub.hpp"
#include "kino/realtime/ws_endpoint.hpp"
#include "kino/rooms/retention.hpp"
#include "kino/rooms/room_service.hpp"
#include "kino/storage/postgres_store.hpp"
#include "kino/storage/sqlite_store.hpp"
#include "kino/storage/store_rate_window.hpp"
#include "kino/common/mutex.hpp"

#ifndef KINO_VERSION
#define KINO_VERSION "dev"
#endif

namespace kino::app {
namespace {

namespace fs = std::filesystem;

int fail(std::string_view event, const Error& e) {
  log::error(event, {{"code", e.code}, {"message", e.message}});
  std::cerr << "kino: " << e.message << "\n";
  return 1;
}

fs::path defaultWebRoot() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path("web") : exe.parent_path() / "web";
}

// "a, b,c" → {"a", "b", "c"} (empty items dropped).
std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = std::min(text.find(',', start), text.size());
    std::string item = text.substr(start, comma - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(std::move(item));
    start = comma + 1;
  }
  return out;
}

realtime::FrameLimits frameLimits(const common::RealtimeConfig& rt) {
  realtime::FrameLimits l;
  l.chat_per_10s = rt.chat_max_per_10s;
  l.control_per_10s = rt.control_max_per_10s;
  l.media_state_per_10s = rt.media_state_max_per_10s;
  l.ping_per_10s = rt.ping_max_per_10s;
  l.report_per_10s = rt.report_max_per_10s;
  l.signal_per_10s = rt.signal_max_per_10s;
  l.invalid_per_10s = rt.invalid_max_per_10s;
  l.frames_per_10s = rt.frames_max_per_10s;
  l.room_chat_per_min = rt.room_chat_max_per_min;
  l.room_playback_per_min = rt.room_playback_max_per_min;
  l.control_coalesce_ms = rt.control_coalesce_ms;
  return l;
}

int threadsOr(int configured, int minimum) {
  if (configured > 0) return configured;
  return std::max(minimum, static_cast<int>(std::thread::hardware_concurrency()));
}

// Opens the configured store (SQLite in the data directory, or PostgreSQL) and migrates it.
Result<std::unique_ptr<storage::Store>> openStore(const common::Config& config) {
  std::error_code ec;
  fs::create_directories(config.server.data_dir, ec);
  if (ec) {
    return Error::make(ErrorKind::kUnavailable, "data_dir",
                       "cannot create data directory " + config.server.data_dir.string() + ": " +
                           ec.message());
  }
  const bool postgres = config.storage.engine == "postgres";
  auto store = postgres ? storage::openPostgresStore({.url = config.storage.postgres_url,
                                                      .pool_size = config.storage.postgres_pool_size,
                                                      .retry_budget = std::chrono::seconds(
                                                          config.storage.postgres_retry_s)})
                        : storage::openSqliteStore(config.server.data_dir / "kino.db");
  if (!store) return store.error();
  auto version = (*store)->migrate();
  if (!version) return version.error();
  boost::json::object fields{{"engine", config.storage.engine}, {"schema_version", *version}};
  if (!postgres) fields["path"] = (config.server.data_dir / "kino.db").string();
  log::info("store_ready", std::move(fields));
  return store;
}

// The media blob store of `storage.blob`: a folder under the data dir, or an S3 bucket (which must
// exist: checked here, so a wrong endpoint, bucket or key stops the start with a clear message).
Result<std::unique_ptr<storage::BlobStore>> openBlobStore(const common::Config& config) {
  const auto& sc = config.storage;
  if (sc.blob != "s3") return storage::openDiskBlobStore(config.server.data_dir / "media");
  storage::S3Options o;
  o.endpoint = sc.s3_endpoint;
  o.bucket = sc.s3_bucket;
  o.region = sc.s3_region;
  o.access_key = sc.s3_access_key;
  o.secret_key = sc.s3_secret_key;
  o.path_style = sc.s3_path_style;
  auto store = storage::openS3BlobStore(std::move(o));
  if (!store) return store.error();
  log::info("media_store_ready", {{"blob", "s3"},
                                  {"endpoint", sc.s3_endpoint},
                                  {"bucket", sc.s3_bucket},
                                  {"region", sc.s3_region},
                                  {"path_style", sc.s3_path_style}});
  return store;
}

// The Bus of `bus.engine`: in-process, or a NATS cluster, connected and its durable stream set up
// here (blocks up to 10 s), so that a wrong URL or an unreachable cluster stops the start with a
// message naming it.
Result<std::unique_ptr<bus::Bus>> openBus(const common::Config& config,
                                          const std::string& node_id) {
  if (config.bus.engine != "nats") return bus::makeLocalBus();
  auto urls = bus::parseNatsUrls(config.bus.nats_urls);
  if (!urls) return urls.error();
  bus::NatsBusOptions options;
  options.urls = std::move(urls).value();
  options.node_name = node_id;
  return bus::openNatsBus(options);
}

// Runs `task` every `period` on its own thread until destroyed.
class PeriodicTask {
 public:
  PeriodicTask(std::chrono::milliseconds period, std::function<void()> task)
      : thread_([this, period, task = std::move(task)] {
          for (;;) {
            {
              common::MutexLock lock(mu_);
              const auto due = std::chrono::steady_clock::now() + period;
              while (!stop_ && !now_ && lock.waitUntil(cv_, due)) {
              }
              if (stop_) return;
              now_ = false;
            }
            task();
          }
        }) {}
  // Runs the task as soon as the thread is free (then the period starts again). Thread-safe.
  void runNow() {
    {
      common::MutexLock lock(mu_);
      now_ = true;
    }
    cv_.notify_all();
  }
  ~PeriodicTask() {
    {
      common::MutexLock lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  common::Mutex mu_;
  std::condition_variable cv_;
  bool stop_ KINO_GUARDED_BY(mu_) = false;
  bool now_ KINO_GUARDED_BY(mu_) = false;  // runNow() was called
  std::thread thread_;
};

// What serve() does once the routes are wired: serve them, or print them and return (`kino routes`,
// so the listing is the same wiring as serving, config-dependent routes included).
enum class ServeMode { kServe, kPrintRoutes };

int serve(const common::Config& config, storage::Store& store, ServeMode mode) {
  common::OffsetClock clock;  // the system clock; only testing.clock_control can move it
  common::SecureRandom random;
  // Messages to and from the other nodes (for the realtime module); `kino routes` opens none.
  const std::string node_id = resolveNodeId(config.cluster.node_id, random);
  std::unique_ptr<bus::Bus> bus;
  if (mode == ServeMode::kServe) {
    log::info("node", {{"node_id", node_id}, {"generated", config.cluster.node_id.empty()}});
    auto opened = openBus(config, node_id);
    if (!opened) return fail("bus_failed", opened.error());
    bus = std::move(opened).value();
    log::info("bus_ready", {{"engine", config.bus.engine}});
  }
  (void)store.sessions().deleteExpired(clock.now());
  // The login, room-key and room-creation limits: counted in the store when nodes share it (a
  // cluster), so a balancer over N nodes does not give a client N times the attempts.
  const common::RateWindowFactory rate_windows = config.bus.engine == "nats"
                                                     ? storage::storeRateWindows(store, clock)
                                                     : common::inMemoryRateWindows(clock);
  accounts::AccountService accounts(store, clock, random, config.accounts, rate_windows);
  rooms::PresenceRegistry presence(&clock);
  rooms::RoomService rooms(store, clock, random, presence, config.rooms,
                           {config.accounts.argon2_ops, config.accounts.argon2_mem_kib},
                           rate_windows);

  auto blobs = openBlobStore(config);
  if (!blobs) return fail("media_store_failed", blobs.error());
  rooms::Retention retention(rooms, **blobs, clock, config.retention.min_years);
  auto signer = common::UrlSigner::loadOrCreate(config.server.data_dir / "secrets" / "media.key",
                                                random);
  if (!signer) return fail("secrets_failed", signer.error());
  auto guest_key = common::UrlSigner::loadOrCreate(config.server.data_dir / "secrets" / "guest.key",
                                                   random);
  if (!guest_key) return fail("secrets_failed", guest_key.error());
  const accounts::GuestTokens guests(*guest_key, random, clock);
  ingest::curlGlobalInit();
  auto downloader = ingest::makeCurlDownloader();
  const auto& ic = config.ingest;
  ingest::IngestService ingest(
      store, **blobs, *downloader, clock, random,
      {.concurrency = ic.concurrency,
       .download_concurrency = ic.download_concurrency,
       .job_timeout = std::chrono::seconds(ic.job_timeout_s),
       .limits = {.max_bytes = ic.max_bytes,
                  .timeout = std::chrono::seconds(ic.download_timeout_s),
                  .min_bytes_per_s = ic.min_rate_bytes_per_s,
                  .min_rate_window = std::chrono::seconds(ic.min_rate_window_s),
                  .allow_private_addresses = ic.allow_private_addresses,
                  .max_redirects = 5,
                  .disk = {},
                  .min_free_bytes = ic.min_free_mb << 20},
       .segment_seconds = ic.segment_seconds,
       .max_rungs = ic.max_renditions,
       .ffmpeg = ic.ffmpeg,
       .ffprobe = ic.ffprobe,
       .work_dir = config.server.data_dir / "work",
       .node_id = node_id,
       .claim_ttl = std::chrono::seconds(ic.claim_ttl_s),
       .claim_scan = std::chrono::seconds(ic.claim_scan_s),
       .sole_node = config.storage.engine != "postgres"});
  if (ic.allow_private_addresses) log::warn("ingest_private_addresses_allowed");
  const api::MediaLookup media{store, *signer, clock};

  // Media (video chat): Janus as a supervised child process, an external node, or off. Kino keeps
  // serving chat and the film when Janus is down; /readyz says "degraded".
  std::unique_ptr<media::JanusProcess> janus_process;
  std::unique_ptr<media::JanusPool> janus;  // the call relay over one or more Janus nodes
  std::function<std::string()> media_status = [] { return std::string("off"); };
  if (config.media.mode != "off") {
    media_status = [&janus] { return janus && janus->healthyNodes() > 0 ? "ok" : "unavailable"; };
  }

  http::Router router;
  api::addHealthRoutes(
      router, store, [&media_status] { return media_status(); },
      [&bus] { return std::string(!bus || bus->healthy() ? "ok" : "unavailable"); });
  const bool https = config.server.public_origin.starts_with("https://");
  api::addAuthRoutes(router, accounts, api::SessionCookiePolicy{.secure = https});
  api::addRoomRoutes(router, {rooms, accounts, ingest, store, guests, media, retention},
                     {.public_origin = config.server.public_origin, .secure_cookies = https});
  api::addMediaRoutes(router, store, **blobs, *signer, clock,
                      {.max_streams_per_address = static_cast<std::size_t>(
                           config.server.media_streams_per_address)});
  std::unique_ptr<bus::Subscription> shared_testing_clock;
  std::function<void()> run_upkeep_now;  // set once the upkeep exists, before serving
  if (config.testing.clock_control) {
    log::warn("testing_clock_control_enabled");
    // In a cluster the nodes share one testing clock: an advance on any node is announced with its
    // new offset and every node raises its own to it (at most once, never back).
    std::function<void()> announce;
    if (config.bus.engine == "nats" && bus) {
      static constexpr std::string_view kClockSubject = "testing.clock";
      auto sub = bus->subscribe(kClockSubject, [&clock](const bus::Message& m) {
        std::int64_t ms = 0;
        if (std::from_chars(m.data.data(), m.data.data() + m.data.size(), ms).ec == std::errc{}) {
          clock.raiseTo(std::chrono::milliseconds(ms));
        }
      });
      if (!sub) return fail("bus_failed", sub.error());
      shared_testing_clock = std::move(sub).value();
      announce = [&clock, &bus] {
        (void)bus->publish(kClockSubject, std::to_string(clock.offset().count()));
      };
    }
    // The upkeep (retention) runs at once after a move, so tests see what a year later brings.
    api::addTestingClockRoute(router, clock, [announce = std::move(announce), &run_upkeep_now] {
      if (announce) announce();
      if (run_upkeep_now) run_upkeep_now();
    });
  }
  if (mode == ServeMode::kPrintRoutes) {
    for (const auto& route : router.routes()) {
      std::cout << route.method << ' ' << route.pattern << '\n';
    }
    return 0;
  }

  const fs::path web_root =
      config.server.web_root.empty() ? defaultWebRoot() : config.server.web_root;
  if (!fs::exists(web_root / "index.html")) {
    log::warn("web_bundle_missing", {{"web_root", web_root.string()}});
  }
  const http::PipelineOptions origin_policy{config.server.public_origin,
                                            splitList(config.server.allowed_hosts)};
  http::Pipeline pipeline(
      std::move(router),
      std::make_unique<http::StaticSite>(
          web_root, api::appPages({rooms, accounts, guests, media, config.server.public_origin})),
      random, origin_policy);

  auto hp = common::parseHostPort(config.server.listen);
  if (!hp) return fail("config_invalid", hp.error());
  http::ServerOptions options{
      .host = hp->host,
      .port = hp->port,
      .io_threads = threadsOr(config.server.threads, 1),
      .worker_threads = threadsOr(config.server.worker_threads, 2),
      .max_body_bytes = config.server.max_body_bytes,
      .shutdown_grace = std::chrono::seconds(config.server.shutdown_grace_s),
      .access_log = config.log.access_log,
  };
  http::Server server(options, pipeline);
  auto url = server.listen();
  if (!url) return fail("listen_failed", url.error());

  std::vector<media::JanusNode> janus_nodes;
  if (config.media.mode == "embedded") {
    media::JanusSettings js;
    js.config_dir = config.server.data_dir / "janus";
    js.api_secret = common::randomToken(random, 24);
    js.admin_secret = common::randomToken(random, 24);
    js.videoroom_admin_key = common::randomToken(random, 24);
    js.ice_interface = config.media.ice_interface;
    js.rtp_min = static_cast<std::uint16_t>(config.media.rtp_port_min);
    js.rtp_max = static_cast<std::uint16_t>(config.media.rtp_port_max);
    janus_process = std::make_unique<media::JanusProcess>(config.media.janus_binary, js);
    if (auto r = janus_process->start(); !r) {
      log::warn("janus_unavailable", {{"message", r.error().message}});
    }
    // Even when Janus could not start, the client keeps trying (and the call reports "unavailable").
    janus_nodes.push_back({"127.0.0.1", janus_process->settings().ws_port, js.api_secret,
                           js.videoroom_admin_key});
  } else if (config.media.mode == "external" && !config.media.external_nodes.empty()) {
    auto nodes = media::parseJanusNodes(config.media.external_nodes, config.media.external_api_secret,
                                        config.media.external_admin_key);
    if (!nodes) return fail("config_invalid", nodes.error());
    janus_nodes = std::move(nodes).value();
  } else if (config.media.mode == "external") {
    janus_nodes.push_back({config.media.external_host,
                           static_cast<std::uint16_t>(config.media.external_port),
                           config.media.external_api_secret, config.media.external_admin_key});
  }
  if (!janus_nodes.empty()) {
    // External Janus nodes may be shared with other Kino nodes on this database: agree on each
    // room's node through the store. An embedded Janus is this node's own.
    const bool shared = config.media.mode == "external" && config.storage.engine == "postgres";
    janus = std::make_unique<media::JanusPool>(
        server.io(), random, std::move(janus_nodes), media::RelaySettings{},
        shared ? storePlacementBook(store.mediaPlacements(), clock) : media::PlacementBook{});
  }

  const auto& rt = config.realtime;
  realtime::RoomCoreOptions core_options;
  core_options.limits = frameLimits(rt);
  realtime::RoomHub hub(server.io(), server.workers(), store, presence, clock,
                        {.core = core_options,
                         .media = janus.get(),
                         .release_after = std::chrono::seconds(rt.room_release_after_s),
                         // Several nodes: rooms run where their lease is and are relayed elsewhere
                         // (docs/design/0005-rooms-across-nodes.md). One node: every room runs here.
                         .cluster = {.bus = config.bus.engine == "nats" ? bus.get() : nullptr,
                                     .node_id = node_id,
                                     .lease_ttl = std::chrono::milliseconds(
                                         config.cluster.room_lease_ms)}},
                        [&rooms](const std::string& slug) { (void)rooms.touch(slug); });
  // A room that ends (owner, cancelled, emptied) tells its open sockets at once; a revoked session
  // (logout) closes its sockets.
  rooms.onEnded([&hub](const storage::RoomRecord& room) {
    hub.endRoom(room.id, {room.ended_reason,
                          room.ended_at ? common::toRfc3339(*room.ended_at) : std::string()});
  });
  realtime::ConnectionRegistry connections({.per_person = rt.max_sockets_per_person,
                                            .per_address = rt.max_sockets_per_address,
                                            .per_room = rt.max_sockets_per_room});
  // Several nodes: a logout on one node closes the session's sockets on every node (durable: a
  // node that is reconnecting to NATS still gets it).
  bus::Bus* cluster_bus = config.bus.engine == "nats" ? bus.get() : nullptr;
  constexpr std::string_view kRevokedSubject = "durable.sessions.revoked";
  accounts.onSessionRevoked([&connections, cluster_bus, kRevokedSubject](const std::string& session) {
    connections.closeSession(session, realtime::kCloseSignedOut, "signed_out");
    if (!cluster_bus) return;
    if (auto r = cluster_bus->publishDurable(kRevokedSubject, session, std::chrono::seconds(10)); !r) {
      log::warn("session_revoke_relay_failed", {{"message", r.error().message}});
    }
  });
  std::unique_ptr<bus::Subscription> revoked_elsewhere;
  if (cluster_bus) {
    auto sub = cluster_bus->subscribeDurable(
        kRevokedSubject, node_id, [&connections](const bus::Message& m) {
          connections.closeSession(m.data, realtime::kCloseSignedOut, "signed_out");
        });
    if (!sub) return fail("bus_failed", sub.error());
    revoked_elsewhere = std::move(sub).value();
  }
  // The sweep and the store upkeep run on one node of a cluster at a time (ClusterJob); every node
  // keeps the rooms its own people are in marked active, since presence is per node.
  ClusterJob sweep_job(store.leases(), clock, node_id, "rooms.sweep", std::chrono::seconds(15),
                       [&rooms] {
                         if (auto r = rooms.sweep(); !r) {
                           log::warn("room_sweep_failed", {{"message", r.error().message}});
                         }
                       });
  PeriodicTask sweeper(sweep_job.period(), [&rooms, &sweep_job] {
    if (auto r = rooms.refreshOccupied(); !r) {
      log::warn("room_refresh_failed", {{"message", r.error().message}});
    }
    sweep_job.tick();
  });
  // PostgreSQL: the chat and playback partitions of this month and the next two exist in advance.
  // Rate-limited events older than a day (or the longest limit's window) are forgotten.
  const std::chrono::seconds rate_horizon =
      std::max({std::chrono::seconds(std::chrono::hours(24)),
                std::chrono::seconds(config.accounts.login_window_s),
                std::chrono::seconds(config.rooms.join_window_s)});
  ClusterJob upkeep_job(store.leases(), clock, node_id, "store.maintain", std::chrono::hours(1),
                        [&store, &clock, &retention, rate_horizon] {
                          if (auto r = store.maintain(clock.now()); !r) {
                            log::warn("store_maintenance_failed", {{"message", r.error().message}});
                          }
                          const auto horizon = clock.now() - rate_horizon;
                          if (auto r = store.rateEvents().purgeBefore(horizon); !r) {
                            log::warn("store_maintenance_failed", {{"message", r.error().message}});
                          }
                          // Ended rooms past retention.min_years go, with their films' media.
                          if (auto r = retention.purgeExpired(); !r) {
                            log::warn("retention_failed", {{"message", r.error().message}});
                          }
                        });
  PeriodicTask store_upkeep(upkeep_job.period(), [&upkeep_job] { upkeep_job.tick(); });
  run_upkeep_now = [&store_upkeep] { store_upkeep.runNow(); };
  server.setUpgradeHandler(realtime::makeWebSocketEndpoint(
      hub, server.workers(),
      [&](const http::Request& request, const std::string& slug) {
        return api::admitRealtime(request, slug, accounts, rooms, guests, media, origin_policy);
      },
      random, connections,
      {.max_outbound_frames = static_cast<std::size_t>(rt.max_outbound_frames),
       .max_outbound_bytes = static_cast<std::size_t>(rt.max_outbound_bytes),
       .idle_timeout = std::chrono::seconds(rt.idle_timeout_s),
       .access_log = config.log.access_log}));
  if (janus) janus->start();
  // The media relay stops before the sockets close: the calls' Janus sessions are left to Janus,
  // which keeps them (reclaim_session_timeout) while the browsers, reconnecting to another node,
  // join the call again there and switch over.
  server.onShutdown([&janus] {
    if (janus) janus->stop();
  });
  server.onShutdown([&hub] { hub.closeAll(); });
  if (ic.enabled) {
    ingest.start();
  } else {
    log::warn("ingest_disabled");
  }
  log::info("listening", {{"url", *url}, {"version", KINO_VERSION}});
  server.run();
  // The media objects post to the server's io_context when they go away: release them while it still
  // exists (they were declared before `server`, so they would otherwise outlive it).
  janus.reset();
  janus_process.reset();
  return 0;
}

}  // namespace

// `kino migrate --from … --to …`: copies a single-node installation's database into PostgreSQL or
// its media folder into S3, each verified by reading it back.
int copyInstallation(const common::Config& config, const std::string& from, const std::string& to) {
  if (from.starts_with("sqlite:") && to.starts_with("postgres:")) {
    const fs::path source = from.substr(7);
    auto report = storage::copySqliteToPostgres(
        source, {.url = to.substr(9), .pool_size = config.storage.postgres_pool_size});
    if (!report) return fail("copy_failed", report.error());
    boost::json::object tables;
    for (const auto& t : report->tables) tables[t.name] = t.rows;
    log::info("database_copied", {{"from", source.string()}, {"rows", std::move(tables)}});
    return 0;
  }
  if (from.starts_with("disk:") && to == "s3") {
    if (config.storage.blob != "s3") {
      return fail("copy_failed", Error::make(ErrorKind::kInvalid, "bad_flag",
                                             "--to s3 needs storage.blob = \"s3\" and the s3_* keys"));
    }
    auto target = openBlobStore(config);
    if (!target) return fail("copy_failed", target.error());
    const fs::path source = from.substr(5);
    auto report = storage::copyDiskBlobs(source, **target);
    if (!report) return fail("copy_failed", report.error());
    log::info("media_copied", {{"from", source.string()},
                               {"bucket", config.storage.s3_bucket},
                               {"files", report->files},
                               {"bytes", report->bytes}});
    return 0;
  }
  return fail("copy_failed",
              Error::make(ErrorKind::kInvalid, "bad_flag",
                          "migrate copies --from sqlite:PATH --to postgres:URL, or --from disk:DIR "
                          "--to s3; got --from " + from + " --to " + to));
}

int run(const CommandLine& cl) {
  if (cl.command == "help") {
    std::cout << usage();
    return 0;
  }
  if (cl.command == "version") {
    std::cout << "kino " << KINO_VERSION << "\n";
    return 0;
  }
  auto loaded = common::loadConfig(cl.config_file, common::processEnvironment());
  if (!loaded) return fail("config_invalid", loaded.error());
  common::Config config = std::move(loaded).value();
  if (cl.listen) config.server.listen = *cl.listen;
  if (cl.data_dir) config.server.data_dir = *cl.data_dir;
  if (auto hp = common::parseHostPort(config.server.listen); !hp) {
    return fail("config_invalid", hp.error());
  }
  log::initLogging(log::parseLevel(config.log.level));

  if (cl.command == "migrate" && cl.from && cl.to) return copyInstallation(config, *cl.from, *cl.to);
  if (cl.command == "backup" || cl.command == "restore") {
    auto done = cl.command == "backup" ? backupInstallation(config, *cl.folder)
                                       : restoreInstallation(config, *cl.folder);
    if (!done) return fail(cl.command + "_failed", done.error());
    log::info(cl.command + "_done", {{"folder", cl.folder->string()},
                                     {"data_dir", config.server.data_dir.string()},
                                     {"schema_version", done->schema_version},
                                     {"media_files", done->media_files},
                                     {"media_bytes", done->media_bytes}});
    return 0;
  }
  auto store = openStore(config);
  if (!store) return fail("store_failed", store.error());
  if (cl.command == "migrate") return 0;
  return serve(config, **store,
               cl.command == "routes" ? ServeMode::kPrintRoutes : ServeMode::kServe);
}

}  // namespace kino::app
