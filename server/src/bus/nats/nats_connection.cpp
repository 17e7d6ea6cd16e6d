#include "nats_connection.hpp"

#include <algorithm>
#include <functional>
#include <thread>
#include <vector>

#include "kino/common/log.hpp"

namespace kino::bus::nats {
namespace {

std::string connectedUrl(natsConnection* nc) {
  char url[256] = {};
  if (natsConnection_GetConnectedUrl(nc, url, sizeof url) != NATS_OK) return {};
  return url;
}

// Connection events, logged; they run on libnats's callback thread and touch nothing of ours.
void onDisconnected(natsConnection* nc, void* /*closure*/) {
  if (natsConnection_IsClosed(nc)) return;  // closed on purpose
  log::warn("bus_disconnected", {});
}
void onReconnected(natsConnection* nc, void* /*closure*/) {
  log::info("bus_reconnected", {{"server", connectedUrl(nc)}});
}
void onAsyncError(natsConnection* /*nc*/, natsSubscription* sub, natsStatus err,
                  void* /*closure*/) {
  const char* subject = sub ? natsSubscription_GetSubject(sub) : nullptr;
  log::warn("bus_async_error",
            {{"subject", subject ? subject : ""}, {"message", natsStatus_GetText(err)}});
}

// Every server, reconnecting forever (`reconnect_wait` between rounds, a little jitter), a server
// silent for 2 pings dropped, connection events logged, handlers on libnats's delivery pool.
natsStatus configure(natsOptions* opts, const NatsBusOptions& o, const std::string& name) {
  std::vector<const char*> servers;
  for (const auto& url : o.urls) servers.push_back(url.c_str());
  const auto wait = o.reconnect_wait.count();
  const std::function<natsStatus()> steps[] = {
      [&] {
        return natsOptions_SetServers(opts, servers.data(), static_cast<int>(servers.size()));
      },
      [&] { return natsOptions_SetName(opts, name.c_str()); },
      [&] { return natsOptions_SetMaxReconnect(opts, -1); },
      [&] { return natsOptions_SetReconnectWait(opts, wait); },
      [&] { return natsOptions_SetReconnectJitter(opts, wait, wait); },
      [&] { return natsOptions_SetTimeout(opts, o.request_timeout.count()); },
      [&] { return natsOptions_SetPingInterval(opts, o.ping_interval.count()); },
      [&] { return natsOptions_SetMaxPingsOut(opts, 2); },
      [&] { return natsOptions_SetDisconnectedCB(opts, onDisconnected, nullptr); },
      [&] { return natsOptions_SetReconnectedCB(opts, onReconnected, nullptr); },
      [&] { return natsOptions_SetErrorHandler(opts, onAsyncError, nullptr); },
      [&] { return nats_SetMessageDeliveryPoolSize(std::max(1, o.delivery_threads)); },
      [&] { return natsOptions_UseGlobalMessageDelivery(opts, true); },
  };
  for (const auto& step : steps) {
    if (const natsStatus s = step(); s != NATS_OK) return s;
  }
  return NATS_OK;
}

}  // namespace

std::string describe(natsStatus s) {
  std::string text = natsStatus_GetText(s);
  natsStatus last_status = NATS_OK;
  const char* last = nats_GetLastError(&last_status);
  if (last && *last && text.find(last) == std::string::npos) text += std::string(": ") + last;
  return text;
}

jsOptions requestOptions(std::chrono::milliseconds wait) {
  jsOptions o;
  jsOptions_Init(&o);
  o.Wait = std::max<std::int64_t>(1, wait.count());
  return o;
}

Result<std::shared_ptr<Connection>> Connection::open(const NatsBusOptions& options) {
  std::shared_ptr<Connection> c(new Connection(options));
  const std::string name = "kino-" + options.node_name;
  natsStatus s = natsOptions_Create(&c->opts_);
  if (s == NATS_OK) s = configure(c->opts_, c->options_, name);
  if (s != NATS_OK) {
    return Error::make(ErrorKind::kInternal, "bus_options", "NATS client options: " + describe(s));
  }
  const auto deadline = std::chrono::steady_clock::now() + options.connect_timeout;
  for (;;) {
    s = natsConnection_Connect(&c->nc_, c->opts_);
    if (s == NATS_OK) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      std::string list;
      for (const auto& url : c->options_.urls) list += (list.empty() ? "" : ", ") + url;
      return Error::make(ErrorKind::kUnavailable, "bus_unavailable",
                         "no NATS server answered at " + list + " (" + describe(s) + ")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  s = natsConnection_JetStream(&c->js_, c->nc_, nullptr);
  if (s != NATS_OK) {
    return Error::make(ErrorKind::kInternal, "bus_jetstream", "JetStream context: " + describe(s));
  }
  log::info("bus_connected",
            {{"engine", "nats"}, {"server", connectedUrl(c->nc_)}, {"name", name}});
  return c;
}

Connection::~Connection() {
  if (js_) jsCtx_Destroy(js_);
  if (nc_) natsConnection_Destroy(nc_);
  if (opts_) natsOptions_Destroy(opts_);
}

bool Connection::connected() const {
  return natsConnection_Status(nc_) == NATS_CONN_STATUS_CONNECTED;
}

std::uint64_t Connection::reconnects() const {
  natsStatistics* stats = nullptr;
  if (natsStatistics_Create(&stats) != NATS_OK) return 0;
  std::uint64_t n = 0;
  if (natsConnection_GetStats(nc_, stats) == NATS_OK) {
    natsStatistics_GetCounts(stats, nullptr, nullptr, nullptr, nullptr, &n);
  }
  natsStatistics_Destroy(stats);
  return n;
}

void Connection::close() { natsConnection_Close(nc_); }

}  // namespace kino::bus::nats
