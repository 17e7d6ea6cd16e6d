#pragma once
// Kino's configuration: built-in defaults, then a TOML file (kino.toml), then KINO_* environment
// variables, then command-line flags (applied by the app). Every key is documented in kino.toml.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "kino/common/result.hpp"

namespace kino::common {

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT; port 0 picks a free port
  int threads = 0;                        // I/O threads; 0 = one per core
  int worker_threads = 0;                 // blocking-work threads; 0 = one per core (min 2)
  std::filesystem::path data_dir = "./var";
  std::filesystem::path web_root;         // empty = "web" beside the kino binary
  std::string public_origin;              // e.g. "https://kino.example"; empty = from Host header
  std::string allowed_hosts;              // "host[:port],..." trusted besides loopback (no origin)
  std::uint64_t max_body_bytes = 1024 * 1024;
  int media_streams_per_address = 16;     // /media bodies sent to one client IP at a time
  int shutdown_grace_s = 10;
};

struct LogConfig {
  std::string level = "info";  // trace, debug, info, warn, error, off
  bool access_log = true;
};

struct AccountsConfig {
  int session_ttl_hours = 24 * 30;
  std::uint64_t argon2_ops = 2;             // OWASP minimum for argon2id: t=2
  std::uint64_t argon2_mem_kib = 19 * 1024;  // OWASP minimum: m=19 MiB
  int login_window_s = 900;
  int login_ip_max_attempts = 30;        // login attempts per IP per window
  int login_account_max_failures = 5;    // failed logins per account per window
  int register_ip_max_per_hour = 30;
};

struct RoomsConfig {
  int slug_length = 10;                // characters from an unambiguous 31-letter alphabet (min 8)
  bool guests_allowed = true;          // false: joining needs an account
  int empty_timeout_min = 30;          // a live room with nobody in it ends after this long
  int default_duration_min = 120;      // expected length of a meeting (calendar DTEND)
  int join_window_s = 900;
  int join_ip_max_failures = 10;       // wrong room keys per client IP per window
  int join_room_max_failures = 30;     // wrong keys per room per window
  int create_user_max_per_hour = 30;   // rooms one account may create per hour
};

struct RealtimeConfig {
  int chat_max_per_10s = 10;             // chat messages one person may send per 10 s
  int max_outbound_frames = 1024;        // frames queued for one client before it is dropped
  int max_outbound_bytes = 4 * 1024 * 1024;
  int idle_timeout_s = 20;               // a socket silent this long (pings unanswered) is dropped
  // Frames one socket (and, for controls and camera/mic state, one person) may send per 10 s.
  int control_max_per_10s = 40;          // playback.control, room.policy
  int media_state_max_per_10s = 20;      // media.state
  int ping_max_per_10s = 60;
  int report_max_per_10s = 40;           // clock.report, playback.buffering
  int signal_max_per_10s = 400;          // media.* call signalling
  int invalid_max_per_10s = 20;          // frames answered with an error
  int frames_max_per_10s = 600;          // everything together; beyond it the socket is closed
  int room_chat_max_per_min = 300;       // messages one room accepts per minute
  int room_playback_max_per_min = 120;   // playback changes one room broadcasts per minute
  int control_coalesce_ms = 200;         // playback changes closer than this go out as one
  int max_sockets_per_person = 10;       // open room sockets of one account or guest
  int max_sockets_per_address = 100;     // ... from one client IP
  int max_sockets_per_room = 300;        // ... in one room
  int room_release_after_s = 5;          // an empty room's actor is released after this long
};

struct IngestConfig {
  bool enabled = true;                      // false: this node queues jobs but runs none
  int concurrency = 1;                      // videos probed and packaged (ffmpeg) at the same time
  int download_concurrency = 4;             // jobs under way at the same time (downloads included)
  std::uint64_t max_bytes = 4ull << 30;     // largest source accepted
  int download_timeout_s = 3600;            // all the fetches of one source together
  int min_rate_bytes_per_s = 32 * 1024;     // a download slower than this ...
  int min_rate_window_s = 30;               // ... for this long is stopped (source_too_slow)
  int job_timeout_s = 6 * 3600;             // a whole job, not counting the wait for packaging
  bool allow_private_addresses = false;     // true only for tests on loopback
  std::uint64_t min_free_mb = 1024;         // keep this much disk free
  int segment_seconds = 6;
  int max_renditions = 3;                   // transcode ladder rungs (1080/720/480/360)
  std::string ffmpeg = "ffmpeg";
  std::string ffprobe = "ffprobe";
  int claim_ttl_s = 30;   // a job's lease lasts this long unless renewed (several nodes)
  int claim_scan_s = 10;  // how often each node looks for unfinished jobs nobody holds
};

struct MediaConfig {
  std::string mode = "embedded";   // embedded (Kino runs Janus) | external | off
  std::string janus_binary = "janus";
  std::string external_host = "127.0.0.1";  // external mode: a Janus WebSocket API (loopback or private)
  int external_port = 8188;
  std::string external_api_secret;
  // external mode with several nodes: "host:port,host:port" (overrides host/port; same secrets).
  std::string external_nodes;
  std::string external_admin_key;  // the VideoRoom plugin's admin_key on external nodes, if set
  std::string ice_interface;       // the interface Janus may use for media, e.g. "kino0"
  int rtp_port_min = 20000;
  int rtp_port_max = 20999;
};

// Where durable state lives (the Store port) and where media files live (the BlobStore port).
struct StorageConfig {
  std::string engine = "sqlite";  // sqlite (<data_dir>/kino.db) | postgres
  // postgres: a libpq conninfo ("host=a,b port=5432,5432 dbname=kino user=kino
  // target_session_attrs=read-write") or URI ("postgresql://kino@a:5432,b:5432/kino").
  std::string postgres_url;
  int postgres_pool_size = 8;  // connections to PostgreSQL at most
  int postgres_retry_s = 10;   // a transaction is retried across a failover this long
  // Where HLS segments, playlists and posters live: "disk" (<data_dir>/media) or "s3" (a bucket of
  // any S3-compatible service; the s3_* keys below).
  std::string blob = "disk";
  std::string s3_endpoint;             // "https://s3.<region>.amazonaws.com", "http://host:port"
  std::string s3_bucket;               // must exist; Kino checks it at start
  std::string s3_region = "us-east-1";
  std::string s3_access_key;
  std::string s3_secret_key;           // never logged; prefer KINO_STORAGE_S3_SECRET_KEY
  bool s3_path_style = true;           // false: virtual-hosted style (<bucket>.<host>)
};

// How Kino nodes talk to each other (the Bus port).
struct BusConfig {
  std::string engine = "local";  // local (one node) | nats
  std::string nats_urls;         // nats: "nats://a:4222,nats://b:4222,nats://c:4222"
};

// This node among several.
struct ClusterConfig {
  // Names this node in leases and on the bus; unique per running node. Empty: generated at start
  // (random), so a restarted node is a new node.
  std::string node_id;
  // How long a room's (and a node's) lease lasts without renewal; renewed every third of it. A node
  // that dies loses its rooms to the others about this long after (docs/design/0005).
  int room_lease_ms = 3000;
};

// How long the archive keeps an ended room (its film and chat) before the upkeep deletes it.
struct RetentionConfig {
  int min_years = 3;  // at least 3: the product promises three years
};

// Switches for tests only; every one is off by default and must stay off in production.
struct TestingConfig {
  // Enables POST /api/v1/testing/clock {"advance_s": N}, which moves the server's clock forward.
  bool clock_control = false;
};

struct Config {
  ServerConfig server;
  LogConfig log;
  AccountsConfig accounts;
  RoomsConfig rooms;
  RealtimeConfig realtime;
  IngestConfig ingest;
  MediaConfig media;
  StorageConfig storage;
  BusConfig bus;
  ClusterConfig cluster;
  RetentionConfig retention;
  TestingConfig testing;
};

using Environment = std::map<std::string, std::string>;

// Reads the process environment (only the KINO_* variables).
Environment processEnvironment();

// Defaults, overlaid by `file` (when given; a missing file is an error) and by `env`
// (KINO_<SECTION>_<KEY>, e.g. KINO_SERVER_LISTEN). Unknown keys and bad values are errors that name
// the key. Validates the result (ranges, listen address form).
Result<Config> loadConfig(const std::optional<std::filesystem::path>& file, const Environment& env);

// Same as loadConfig, from TOML text (for tests and tools).
Result<Config> parseConfig(std::string_view toml_text, const Environment& env);

// Splits "HOST:PORT" ("[::1]:80" for IPv6). Fails on a malformed address or a port > 65535.
struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};
Result<HostPort> parseHostPort(std::string_view listen);

}  // namespace kino::common
