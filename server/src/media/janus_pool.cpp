// Room placement over several Janus nodes (see janus_pool.hpp).
#include "kino/media/janus_pool.hpp"

#include <charconv>

namespace kino::media {

JanusPool::JanusPool(boost::asio::io_context& io, common::Random& random,
                     std::vector<JanusNode> nodes, const RelaySettings& settings) {
  for (auto& spec : nodes) {
    Node n;
    n.spec = std::move(spec);
    n.client = std::make_unique<JanusClient>(io, n.spec.host, n.spec.port, n.spec.api_secret);
    RelaySettings s = settings;
    s.videoroom_admin_key = n.spec.videoroom_admin_key;
    n.relay = std::make_unique<JanusRelay>(io, *n.client, random, s);
    nodes_.push_back(std::move(n));
  }
}

JanusPool::~JanusPool() {
  // Relays first: they hold references to their clients.
  for (auto& n : nodes_) n.relay.reset();
}

void JanusPool::start() {
  for (auto& n : nodes_) {
    n.relay->start();
    n.client->start();
  }
}

void JanusPool::stop() {
  for (auto& n : nodes_) {
    n.relay->stop();
    n.client->stop();
  }
}

std::size_t JanusPool::healthyNodes() const {
  std::size_t healthy = 0;
  for (const auto& n : nodes_) healthy += n.client->healthy() ? 1 : 0;
  return healthy;
}

std::optional<std::size_t> JanusPool::nodeOf(std::int64_t room_id) const {
  common::MutexLock lock(mu_);
  auto it = room_node_.find(room_id);
  if (it == room_node_.end()) return std::nullopt;
  return it->second;
}

std::size_t JanusPool::place(std::int64_t room_id) {
  if (auto it = room_node_.find(room_id);
      it != room_node_.end() && nodes_[it->second].client->healthy()) {
    return it->second;
  }
  std::vector<std::size_t> load(nodes_.size(), 0);
  for (const auto& [room, node] : room_node_) ++load[node];
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (!nodes_[i].client->healthy()) continue;
    if (!best || load[i] < load[*best]) best = i;
  }
  // None healthy: keep the room where it was (its relay answers "unavailable").
  const std::size_t chosen = best ? *best : room_node_.contains(room_id) ? room_node_[room_id] : 0;
  room_node_[room_id] = chosen;
  return chosen;
}

void JanusPool::signal(realtime::MediaPeer peer, realtime::MediaSignal frame) {
  std::size_t node = 0;
  {
    common::MutexLock lock(mu_);
    auto it = conn_node_.find(peer.conn);
    // A join from a connection whose node died starts over on the room's (new) node.
    if (it != conn_node_.end() && frame.type == "media.join" &&
        !nodes_[it->second.second].client->healthy()) {
      it->second.second = place(peer.room_id);
    }
    if (it == conn_node_.end()) {
      node = place(peer.room_id);
      conn_node_[peer.conn] = {peer.room_id, node};
      ++room_conns_[peer.room_id];
    } else {
      node = it->second.second;
    }
  }
  nodes_[node].relay->signal(std::move(peer), std::move(frame));
}

void JanusPool::leave(realtime::ConnId conn) {
  std::size_t node = 0;
  {
    common::MutexLock lock(mu_);
    auto it = conn_node_.find(conn);
    if (it == conn_node_.end()) return;
    const auto [room, n] = it->second;
    node = n;
    conn_node_.erase(it);
    if (--room_conns_[room] == 0) {
      room_conns_.erase(room);
      room_node_.erase(room);
    }
  }
  nodes_[node].relay->leave(conn);
}

Result<std::vector<JanusNode>> parseJanusNodes(std::string_view list, const std::string& api_secret,
                                               const std::string& admin_key) {
  std::vector<JanusNode> nodes;
  while (!list.empty()) {
    const auto comma = list.find(',');
    std::string_view entry = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
    if (entry.empty()) continue;
    const auto colon = entry.rfind(':');
    int port = 0;
    const char* end = entry.data() + entry.size();
    if (colon == std::string_view::npos || colon == 0 ||
        std::from_chars(entry.data() + colon + 1, end, port).ptr != end || port < 1 || port > 65535) {
      return Error::make(ErrorKind::kInvalid, "config_invalid",
                         "media.external_nodes: \"" + std::string(entry) + "\" is not host:port");
    }
    nodes.push_back({std::string(entry.substr(0, colon)), static_cast<std::uint16_t>(port), api_secret,
                     admin_key});
  }
  return nodes;
}

}  // namespace kino::media
