#include "nats_stream.hpp"

#include <algorithm>
#include <cstdlib>
#include <thread>

#include "kino/common/log.hpp"

namespace kino::bus::nats {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Servers the client knows of: the configured URLs and those the cluster told it about.
std::int64_t knownServers(Connection& c) {
  char** servers = nullptr;
  int count = 0;
  if (natsConnection_GetServers(c.nc(), &servers, &count) != NATS_OK) return 1;
  for (int i = 0; i < count; ++i) std::free(servers[i]);  // libnats hands out malloc'ed strings
  std::free(static_cast<void*>(servers));
  return std::max(1, count);
}

bool sameSettings(const jsStreamConfig& a, const jsStreamConfig& b) {
  return a.MaxAge == b.MaxAge && a.Storage == b.Storage && a.Retention == b.Retention &&
         a.SubjectsLen == 1 && b.SubjectsLen == 1 &&
         std::string_view(a.Subjects[0]) == b.Subjects[0];
}

}  // namespace

Result<void> ensureStream(Connection& connection, Clock::time_point deadline) {
  const auto& o = connection.options();
  const char* subjects[] = {"durable.>"};
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = kStream;
  cfg.Subjects = subjects;
  cfg.SubjectsLen = 1;
  cfg.Retention = js_LimitsPolicy;
  cfg.Storage = js_FileStorage;
  cfg.MaxAge = std::chrono::duration_cast<std::chrono::nanoseconds>(o.max_age).count();
  cfg.Replicas = o.replicas > 0 ? o.replicas : std::min<std::int64_t>(3, knownServers(connection));
  std::string last;
  for (;;) {
    const auto remaining = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    jsOptions request = requestOptions(std::clamp(remaining, milliseconds(1), o.request_timeout));
    jsStreamInfo* info = nullptr;
    jsErrCode jerr{};
    natsStatus s = js_GetStreamInfo(&info, connection.js(), kStream, &request, &jerr);
    if (s == NATS_OK) {
      // There already (made by another node, maybe scaled by hand): keep its replicas, bring the
      // rest to this configuration.
      cfg.Replicas = info->Config->Replicas;
      if (!sameSettings(*info->Config, cfg)) {
        jsStreamInfo* updated = nullptr;
        s = js_UpdateStream(&updated, connection.js(), &cfg, &request, &jerr);
        if (updated) jsStreamInfo_Destroy(updated);
        if (s != NATS_OK && jerr != 0) {  // the server refused the change: use the stream as it is
          log::warn("bus_stream_kept", {{"stream", kStream}, {"message", describe(s)}});
          s = NATS_OK;
        }
      }
    } else if (jerr == JSStreamNotFoundErr) {
      jerr = jsErrCode{};
      s = js_AddStream(&info, connection.js(), &cfg, &request, &jerr);
      if (s != NATS_OK && jerr == JSStreamNameExistErr) {  // another node was first: look again
        if (info) jsStreamInfo_Destroy(info);
        continue;
      }
    }
    if (info) jsStreamInfo_Destroy(info);
    if (s == NATS_OK) {
      log::info("bus_stream_ready", {{"stream", kStream}, {"replicas", cfg.Replicas}});
      return success();
    }
    last = describe(s) + (jerr != 0 ? " (JetStream error " + std::to_string(jerr) + ")" : "");
    if (Clock::now() + milliseconds(100) >= deadline) break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return Error::make(ErrorKind::kUnavailable, "bus_unavailable",
                     std::string("NATS JetStream did not set up the stream ") + kStream + " with " +
                         std::to_string(cfg.Replicas) + " replicas: " + last);
}

}  // namespace kino::bus::nats
