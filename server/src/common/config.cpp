#include "kino/common/config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>
#include <variant>
#include <vector>

extern char** environ;

namespace kino::common {
namespace {

using Target = std::variant<int*, std::uint64_t*, std::string*, std::filesystem::path*, bool*>;

struct Key {
  std::string section;
  std::string name;
  Target target;
};

// The one table of configuration keys; kino.toml documents each of them.
std::vector<Key> keysOf(Config& c) {
  return {
      {"server", "listen", &c.server.listen},
      {"server", "threads", &c.server.threads},
      {"server", "worker_threads", &c.server.worker_threads},
      {"server", "data_dir", &c.server.data_dir},
      {"server", "web_root", &c.server.web_root},
      {"server", "public_origin", &c.server.public_origin},
      {"server", "allowed_hosts", &c.server.allowed_hosts},
      {"server", "max_body_bytes", &c.server.max_body_bytes},
      {"server", "media_streams_per_address", &c.server.media_streams_per_address},
      {"server", "shutdown_grace_s", &c.server.shutdown_grace_s},
      {"log", "level", &c.log.level},
      {"log", "access_log", &c.log.access_log},
      {"accounts", "session_ttl_hours", &c.accounts.session_ttl_hours},
      {"accounts", "argon2_ops", &c.accounts.argon2_ops},
      {"accounts", "argon2_mem_kib", &c.accounts.argon2_mem_kib},
      {"accounts", "login_window_s", &c.accounts.login_window_s},
      {"accounts", "login_ip_max_attempts", &c.accounts.login_ip_max_attempts},
      {"accounts", "login_account_max_failures", &c.accounts.login_account_max_failures},
      {"accounts", "register_ip_max_per_hour", &c.accounts.register_ip_max_per_hour},
      {"rooms", "slug_length", &c.rooms.slug_length},
      {"rooms", "guests_allowed", &c.rooms.guests_allowed},
      {"rooms", "empty_timeout_min", &c.rooms.empty_timeout_min},
      {"rooms", "default_duration_min", &c.rooms.default_duration_min},
      {"rooms", "join_window_s", &c.rooms.join_window_s},
      {"rooms", "join_ip_max_failures", &c.rooms.join_ip_max_failures},
      {"rooms", "join_room_max_failures", &c.rooms.join_room_max_failures},
      {"rooms", "create_user_max_per_hour", &c.rooms.create_user_max_per_hour},
      {"realtime", "chat_max_per_10s", &c.realtime.chat_max_per_10s},
      {"realtime", "max_outbound_frames", &c.realtime.max_outbound_frames},
      {"realtime", "max_outbound_bytes", &c.realtime.max_outbound_bytes},
      {"realtime", "idle_timeout_s", &c.realtime.idle_timeout_s},
      {"realtime", "control_max_per_10s", &c.realtime.control_max_per_10s},
      {"realtime", "media_state_max_per_10s", &c.realtime.media_state_max_per_10s},
      {"realtime", "ping_max_per_10s", &c.realtime.ping_max_per_10s},
      {"realtime", "report_max_per_10s", &c.realtime.report_max_per_10s},
      {"realtime", "signal_max_per_10s", &c.realtime.signal_max_per_10s},
      {"realtime", "invalid_max_per_10s", &c.realtime.invalid_max_per_10s},
      {"realtime", "frames_max_per_10s", &c.realtime.frames_max_per_10s},
      {"realtime", "room_chat_max_per_min", &c.realtime.room_chat_max_per_min},
      {"realtime", "room_playback_max_per_min", &c.realtime.room_playback_max_per_min},
      {"realtime", "control_coalesce_ms", &c.realtime.control_coalesce_ms},
      {"realtime", "max_sockets_per_person", &c.realtime.max_sockets_per_person},
      {"realtime", "max_sockets_per_address", &c.realtime.max_sockets_per_address},
      {"realtime", "max_sockets_per_room", &c.realtime.max_sockets_per_room},
      {"realtime", "room_release_after_s", &c.realtime.room_release_after_s},
      {"ingest", "enabled", &c.ingest.enabled},
      {"ingest", "concurrency", &c.ingest.concurrency},
      {"ingest", "download_concurrency", &c.ingest.download_concurrency},
      {"ingest", "max_bytes", &c.ingest.max_bytes},
      {"ingest", "download_timeout_s", &c.ingest.download_timeout_s},
      {"ingest", "min_rate_bytes_per_s", &c.ingest.min_rate_bytes_per_s},
      {"ingest", "min_rate_window_s", &c.ingest.min_rate_window_s},
      {"ingest", "job_timeout_s", &c.ingest.job_timeout_s},
      {"ingest", "allow_private_addresses", &c.ingest.allow_private_addresses},
      {"ingest", "min_free_mb", &c.ingest.min_free_mb},
      {"ingest", "segment_seconds", &c.ingest.segment_seconds},
      {"ingest", "max_renditions", &c.ingest.max_renditions},
      {"ingest", "ffmpeg", &c.ingest.ffmpeg},
      {"ingest", "ffprobe", &c.ingest.ffprobe},
      {"ingest", "claim_ttl_s", &c.ingest.claim_ttl_s},
      {"ingest", "claim_scan_s", &c.ingest.claim_scan_s},
      {"media", "mode", &c.media.mode},
      {"media", "janus_binary", &c.media.janus_binary},
      {"media", "external_host", &c.media.external_host},
      {"media", "external_port", &c.media.external_port},
      {"media", "external_api_secret", &c.media.external_api_secret},
      {"media", "external_nodes", &c.media.external_nodes},
      {"media", "external_admin_key", &c.media.external_admin_key},
      {"media", "ice_interface", &c.media.ice_interface},
      {"media", "rtp_port_min", &c.media.rtp_port_min},
      {"media", "rtp_port_max", &c.media.rtp_port_max},
      {"storage", "engine", &c.storage.engine},
      {"storage", "postgres_url", &c.storage.postgres_url},
      {"storage", "postgres_pool_size", &c.storage.postgres_pool_size},
      {"storage", "postgres_retry_s", &c.storage.postgres_retry_s},
      {"storage", "blob", &c.storage.blob},
      {"storage", "s3_endpoint", &c.storage.s3_endpoint},
      {"storage", "s3_bucket", &c.storage.s3_bucket},
      {"storage", "s3_region", &c.storage.s3_region},
      {"storage", "s3_access_key", &c.storage.s3_access_key},
      {"storage", "s3_secret_key", &c.storage.s3_secret_key},
      {"storage", "s3_path_style", &c.storage.s3_path_style},
      {"bus", "engine", &c.bus.engine},
      {"bus", "nats_urls", &c.bus.nats_urls},
      {"cluster", "node_id", &c.cluster.node_id},
      {"cluster", "room_lease_ms", &c.cluster.room_lease_ms},
      {"retention", "min_years", &c.retention.min_years},
      {"testing", "clock_control", &c.testing.clock_control},
  };
}

Error badKey(const std::string& where, const std::string& why) {
  return Error::make(ErrorKind::kInvalid, "invalid_config", where + ": " + why);
}

template <class Int>
Result<void> parseInt(std::string_view text, Int* out, const std::string& where) {
  Int v{};
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) return badKey(where, "expected an integer");
  *out = v;
  return success();
}

// Sets a key from an environment string.
Result<void> setFromString(Target target, std::string_view text, const std::string& where) {
  if (auto ip = std::get_if<int*>(&target)) return parseInt(text, *ip, where);
  if (auto up = std::get_if<std::uint64_t*>(&target)) return parseInt(text, *up, where);
  if (auto sp = std::get_if<std::string*>(&target)) {
    **sp = std::string(text);
    return success();
  }
  if (auto pp = std::get_if<std::filesystem::path*>(&target)) {
    **pp = std::filesystem::path(std::string(text));
    return success();
  }
  auto b = std::get<bool*>(target);
  if (text == "true" || text == "1" || text == "yes") *b = true;
  else if (text == "false" || text == "0" || text == "no") *b = false;
  else return badKey(where, "expected true or false");
  return success();
}

// Sets a key from a TOML node.
Result<void> setFromToml(Target target, const toml::node& node, const std::string& where) {
  if (auto ip = std::get_if<int*>(&target)) {
    auto v = node.value<std::int64_t>();
    if (!v || *v < INT32_MIN || *v > INT32_MAX) return badKey(where, "expected an integer");
    **ip = static_cast<int>(*v);
  } else if (auto up = std::get_if<std::uint64_t*>(&target)) {
    auto v = node.value<std::int64_t>();
    if (!v || *v < 0) return badKey(where, "expected a non-negative integer");
    **up = static_cast<std::uint64_t>(*v);
  } else if (auto sp = std::get_if<std::string*>(&target)) {
    auto v = node.value<std::string>();
    if (!v) return badKey(where, "expected a string");
    **sp = *v;
  } else if (auto pp = std::get_if<std::filesystem::path*>(&target)) {
    auto v = node.value<std::string>();
    if (!v) return badKey(where, "expected a string");
    **pp = *v;
  } else {
    auto v = node.value<bool>();
    if (!v) return badKey(where, "expected true or false");
    *std::get<bool*>(target) = *v;
  }
  return success();
}

std::string envName(const Key& k) {
  std::string s = "KINO_" + k.section + "_" + k.name;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return std::toupper(ch); });
  return s;
}

// A bucket name S3 accepts in both URL styles: 3..63 of a-z 0-9 . -, starting and ending with a
// letter or digit.
bool validBucketName(const std::string& b) {
  if (b.size() < 3 || b.size() > 63) return false;
  auto plain = [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'); };
  if (!plain(b.front()) || !plain(b.back())) return false;
  return std::all_of(b.begin(), b.end(),
                     [&](char ch) { return plain(ch) || ch == '.' || ch == '-'; });
}

Result<void> validateStorage(const StorageConfig& s) {
  if (s.blob != "disk" && s.blob != "s3") return badKey("storage.blob", "disk or s3");
  if (s.blob != "s3") return success();
  const std::string needed = "required when blob = \"s3\"";
  const bool web = s.s3_endpoint.starts_with("http://") || s.s3_endpoint.starts_with("https://");
  if (!web) return badKey("storage.s3_endpoint", "http(s)://host[:port] " + needed);
  const auto authority = s.s3_endpoint.substr(s.s3_endpoint.find("://") + 3);
  if (authority.find('@') != std::string::npos)
    return badKey("storage.s3_endpoint", "no credentials in the URL; use s3_access_key/secret_key");
  if (!validBucketName(s.s3_bucket))
    return badKey("storage.s3_bucket", "3..63 characters of a-z, 0-9, '.' and '-'");
  if (s.s3_region.empty()) return badKey("storage.s3_region", "must not be empty");
  if (s.s3_access_key.empty()) return badKey("storage.s3_access_key", needed);
  if (s.s3_secret_key.empty())
    return badKey("storage.s3_secret_key", needed + " (or KINO_STORAGE_S3_SECRET_KEY)");
  return success();
}

Result<void> validate(const Config& c) {
  if (auto hp = parseHostPort(c.server.listen); !hp) return hp.error();
  if (c.server.threads < 0 || c.server.threads > 256) return badKey("server.threads", "0..256");
  if (c.server.worker_threads < 0 || c.server.worker_threads > 256)
    return badKey("server.worker_threads", "0..256");
  if (c.server.max_body_bytes < 1024) return badKey("server.max_body_bytes", "at least 1024");
  if (c.server.shutdown_grace_s < 0) return badKey("server.shutdown_grace_s", "must be >= 0");
  if (!c.server.public_origin.empty() && c.server.public_origin.find("://") == std::string::npos)
    return badKey("server.public_origin", "expected scheme://host[:port]");
  if (c.accounts.session_ttl_hours < 1) return badKey("accounts.session_ttl_hours", "at least 1");
  if (c.accounts.argon2_ops < 2) return badKey("accounts.argon2_ops", "at least 2 (OWASP)");
  if (c.accounts.argon2_mem_kib < 19 * 1024)
    return badKey("accounts.argon2_mem_kib", "at least 19456 (19 MiB, OWASP)");
  if (c.accounts.login_window_s < 1) return badKey("accounts.login_window_s", "at least 1");
  if (c.accounts.login_ip_max_attempts < 1 || c.accounts.login_account_max_failures < 1 ||
      c.accounts.register_ip_max_per_hour < 1)
    return badKey("accounts", "rate limits must be at least 1");
  if (c.rooms.slug_length < 8 || c.rooms.slug_length > 32) return badKey("rooms.slug_length", "8..32");
  if (c.rooms.empty_timeout_min < 1) return badKey("rooms.empty_timeout_min", "at least 1");
  if (c.rooms.default_duration_min < 1 || c.rooms.default_duration_min > 24 * 60)
    return badKey("rooms.default_duration_min", "1..1440");
  if (c.rooms.join_window_s < 1 || c.rooms.join_ip_max_failures < 1 ||
      c.rooms.join_room_max_failures < 1 || c.rooms.create_user_max_per_hour < 1)
    return badKey("rooms", "rate limits must be at least 1");
  if (c.server.media_streams_per_address < 1)
    return badKey("server.media_streams_per_address", "at least 1");
  if (c.realtime.chat_max_per_10s < 1 || c.realtime.max_outbound_frames < 1 ||
      c.realtime.max_outbound_bytes < 1024)
    return badKey("realtime", "limits must be positive (max_outbound_bytes >= 1024)");
  if (c.realtime.idle_timeout_s < 2 || c.realtime.idle_timeout_s > 30)
    return badKey("realtime.idle_timeout_s", "2..30");
  for (const auto& [name, value] :
       {std::pair{"control_max_per_10s", c.realtime.control_max_per_10s},
        {"media_state_max_per_10s", c.realtime.media_state_max_per_10s},
        {"ping_max_per_10s", c.realtime.ping_max_per_10s},
        {"report_max_per_10s", c.realtime.report_max_per_10s},
        {"signal_max_per_10s", c.realtime.signal_max_per_10s},
        {"invalid_max_per_10s", c.realtime.invalid_max_per_10s},
        {"frames_max_per_10s", c.realtime.frames_max_per_10s},
        {"room_chat_max_per_min", c.realtime.room_chat_max_per_min},
        {"room_playback_max_per_min", c.realtime.room_playback_max_per_min},
        {"max_sockets_per_person", c.realtime.max_sockets_per_person},
        {"max_sockets_per_address", c.realtime.max_sockets_per_address},
        {"max_sockets_per_room", c.realtime.max_sockets_per_room}}) {
    if (value < 1) return badKey(std::string("realtime.") + name, "at least 1");
  }
  if (c.realtime.control_coalesce_ms < 0 || c.realtime.control_coalesce_ms > 2000)
    return badKey("realtime.control_coalesce_ms", "0..2000");
  if (c.realtime.room_release_after_s < 0) return badKey("realtime.room_release_after_s", ">= 0");
  if (c.ingest.concurrency < 1 || c.ingest.concurrency > 16) return badKey("ingest.concurrency", "1..16");
  if (c.ingest.max_bytes < 1024) return badKey("ingest.max_bytes", "at least 1024");
  if (c.ingest.download_concurrency < 1 || c.ingest.download_concurrency > 64)
    return badKey("ingest.download_concurrency", "1..64");
  if (c.ingest.download_timeout_s < 1) return badKey("ingest.download_timeout_s", "at least 1");
  if (c.ingest.min_rate_bytes_per_s < 1) return badKey("ingest.min_rate_bytes_per_s", "at least 1");
  if (c.ingest.min_rate_window_s < 1) return badKey("ingest.min_rate_window_s", "at least 1");
  if (c.ingest.job_timeout_s < 1) return badKey("ingest.job_timeout_s", "at least 1");
  if (c.ingest.segment_seconds < 1 || c.ingest.segment_seconds > 30)
    return badKey("ingest.segment_seconds", "1..30");
  if (c.ingest.max_renditions < 1 || c.ingest.max_renditions > 4)
    return badKey("ingest.max_renditions", "1..4");
  if (c.ingest.claim_ttl_s < 3 || c.ingest.claim_ttl_s > 3600)
    return badKey("ingest.claim_ttl_s", "3..3600");
  if (c.ingest.claim_scan_s < 1 || c.ingest.claim_scan_s > 3600)
    return badKey("ingest.claim_scan_s", "1..3600");
  if (c.media.mode != "embedded" && c.media.mode != "external" && c.media.mode != "off")
    return badKey("media.mode", "embedded, external or off");
  if (c.media.rtp_port_min < 1024 || c.media.rtp_port_max > 65535 ||
      c.media.rtp_port_min >= c.media.rtp_port_max)
    return badKey("media.rtp_port_min/max", "1024 <= min < max <= 65535");
  if (c.media.external_port < 1 || c.media.external_port > 65535)
    return badKey("media.external_port", "1..65535");
  if (c.storage.engine != "sqlite" && c.storage.engine != "postgres")
    return badKey("storage.engine", "sqlite or postgres");
  if (c.storage.engine == "postgres" && c.storage.postgres_url.empty())
    return badKey("storage.postgres_url", "needed when storage.engine is postgres");
  if (c.storage.postgres_pool_size < 1 || c.storage.postgres_pool_size > 256)
    return badKey("storage.postgres_pool_size", "1..256");
  if (c.storage.postgres_retry_s < 1 || c.storage.postgres_retry_s > 300)
    return badKey("storage.postgres_retry_s", "1..300");
  if (c.bus.engine != "local" && c.bus.engine != "nats") return badKey("bus.engine", "local or nats");
  if (c.bus.engine == "nats" && c.bus.nats_urls.empty())
    return badKey("bus.nats_urls", "needed when bus.engine is nats");
  if (c.bus.engine == "nats" && c.storage.engine != "postgres")
    return badKey("bus.engine", "nats (several nodes) needs storage.engine = \"postgres\"");
  for (const char ch : c.cluster.node_id) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_')
      return badKey("cluster.node_id", "letters, digits, - and _ only");
  }
  if (c.cluster.node_id.size() > 64) return badKey("cluster.node_id", "at most 64 characters");
  if (c.retention.min_years < 3) {
    return badKey("retention.min_years",
                  "at least 3: an ended room (its film and its chat) is kept for at least three years");
  }
  if (c.retention.min_years > 100) return badKey("retention.min_years", "at most 100");
  if (c.cluster.room_lease_ms < 1000 || c.cluster.room_lease_ms > 60000)
    return badKey("cluster.room_lease_ms", "1000..60000");
  if (auto r = validateStorage(c.storage); !r) return r.error();
  return success();
}

Result<Config> overlay(const toml::table* file, const Environment& env) {
  Config c;
  auto keys = keysOf(c);
  if (file) {
    for (auto&& [section, node] : *file) {
      const auto* tbl = node.as_table();
      const std::string sec(section.str());
      if (!tbl) return badKey(sec, "expected a [section]");
      for (auto&& [name, value] : *tbl) {
        const std::string where = sec + "." + std::string(name.str());
        const std::string_view key_name = name.str();
        auto it = std::find_if(keys.begin(), keys.end(), [&](const Key& k) {
          return k.section == sec && k.name == key_name;
        });
        if (it == keys.end()) return badKey(where, "unknown key");
        if (auto r = setFromToml(it->target, value, where); !r) return r.error();
      }
    }
  }
  for (const Key& k : keys) {
    auto e = env.find(envName(k));
    if (e == env.end()) continue;
    if (auto r = setFromString(k.target, e->second, envName(k)); !r) return r.error();
  }
  if (auto r = validate(c); !r) return r.error();
  return c;
}

}  // namespace

Environment processEnvironment() {
  Environment env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    if (kv.rfind("KINO_", 0) != 0) continue;
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

Result<Config> parseConfig(std::string_view toml_text, const Environment& env) {
  toml::table parsed;
  try {
    parsed = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << "line " << e.source().begin.line << ": " << e.description();
    return Error::make(ErrorKind::kMalformed, "invalid_config", msg.str());
  }
  return overlay(&parsed, env);
}

Result<Config> loadConfig(const std::optional<std::filesystem::path>& file,
                          const Environment& env) {
  if (!file) return overlay(nullptr, env);
  std::ifstream in(*file, std::ios::binary);
  if (!in) {
    return Error::make(ErrorKind::kNotFound, "config_not_found",
                       "cannot read config file " + file->string());
  }
  std::stringstream text;
  text << in.rdbuf();
  auto r = parseConfig(text.str(), env);
  if (!r) {
    Error e = r.error();
    e.message = file->string() + ": " + e.message;
    return e;
  }
  return r;
}

Result<HostPort> parseHostPort(std::string_view listen) {
  auto bad = [&] {
    return Error::make(ErrorKind::kInvalid, "invalid_config",
                       "server.listen: expected HOST:PORT, got '" + std::string(listen) + "'");
  };
  HostPort hp;
  std::string_view port;
  if (!listen.empty() && listen.front() == '[') {
    auto close = listen.find(']');
    if (close == std::string_view::npos || close + 1 >= listen.size() || listen[close + 1] != ':')
      return bad();
    hp.host = std::string(listen.substr(1, close - 1));
    port = listen.substr(close + 2);
  } else {
    auto colon = listen.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return bad();
    hp.host = std::string(listen.substr(0, colon));
    port = listen.substr(colon + 1);
  }
  unsigned v = 0;
  auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
  if (port.empty() || ec != std::errc() || p != port.data() + port.size() || v > 65535) return bad();
  hp.port = static_cast<std::uint16_t>(v);
  return hp;
}

}  // namespace kino::common
