// Room placement over several Janus nodes (see janus_pool.hpp).
#include "kino/media/janus_pool.hpp"

#include <charconv>

#include "kino/common/log.hpp"
#include "kino/realtime/protocol.hpp"

namespace kino::media {

JanusPool::JanusPool(boost::asio::io_context& io, common::Random& random,
                     std::vector<JanusNode> nodes, const RelaySettings& settings,
                     PlacementBook book)
    : book_(std::move(book)) {
  for (auto& spec : nodes) {
    Node n;
    n.spec = std::move(spec);
    n.client = std::make_unique<JanusClient>(io, n.spec.host, n.spec.port, n.spec.api_secret);
    RelaySettings s = settings;
    s.videoroom_admin_key = n.spec.videoroom_admin_key;
    n.relay = std::make_unique<JanusRelay>(io, *n.client, random, s);
    nodes_.push_back(std::move(n));
  }
  if (book_.shared()) worker_ = std::thread([this] { placementLoop(); });
}

JanusPool::~JanusPool() {
  if (worker_.joinable()) {
    {
      common::MutexLock lock(work_mu_);
      work_stop_ = true;  // placements not yet asked are dropped (their people join again)
    }
    work_cv_.notify_all();
    worker_.join();
  }
  // Relays first: they hold references to their clients.
  for (auto& n : nodes_) n.relay.reset();
}

std::string JanusPool::nodeName(std::size_t index) const {
  const JanusNode& spec = nodes_.at(index).spec;
  return spec.host + ":" + std::to_string(spec.port);
}

void JanusPool::post(std::function<void()> job) {
  {
    common::MutexLock lock(work_mu_);
    work_.push_back(std::move(job));
  }
  work_cv_.notify_one();
}

void JanusPool::placementLoop() {
  for (;;) {
    std::function<void()> job;
    {
      common::MutexLock lock(work_mu_);
      while (!work_stop_ && work_.empty()) lock.wait(work_cv_);
      if (work_stop_) return;
      job = std::move(work_.front());
      work_.pop_front();
    }
    job();
  }
}

std::vector<NodeView> JanusPool::viewOf() const {
  std::vector<NodeView> view;
  view.reserve(nodes_.size());
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    view.push_back({nodeName(i), nodes_[i].client->healthy(), 0});
  }
  for (const auto& [room, node] : room_node_) ++view[node].calls;
  return view;
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
  if (book_.shared()) {
    common::MutexLock lock(mu_);
    // Handed over under the lock: a placement finishing on the placement thread hands over the
    // frames that waited for it under the same lock, so one connection's frames stay in order.
    if (auto node = routeShared(peer, frame)) {
      nodes_[*node].relay->signal(std::move(peer), std::move(frame));
    }
    return;
  }
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

std::optional<std::size_t> JanusPool::routeShared(realtime::MediaPeer& peer,
                                                  realtime::MediaSignal& frame) {
  if (auto w = waiting_.find(peer.conn); w != waiting_.end()) {
    w->second.emplace_back(std::move(peer), std::move(frame));
    return std::nullopt;
  }
  const auto it = conn_node_.find(peer.conn);
  const bool joins = frame.type == "media.join";
  if (it == conn_node_.end() && !joins) {
    // Not in the call: the relay of the room's node (any relay) answers it or ignores it.
    const auto room = room_node_.find(peer.room_id);
    return room == room_node_.end() ? 0 : room->second;
  }
  if (it != conn_node_.end() && !(joins && !nodes_[it->second.second].client->healthy())) {
    return it->second.second;
  }
  // A first join, or a join again after the connection's node died: ask the book.
  const std::int64_t room_id = peer.room_id;
  const realtime::ConnId conn = peer.conn;
  waiting_[conn].emplace_back(std::move(peer), std::move(frame));
  post([this, conn, room_id] { placeShared(conn, room_id); });
  return std::nullopt;
}

void JanusPool::placeShared(realtime::ConnId conn, std::int64_t room_id) {
  std::vector<NodeView> view;
  std::optional<std::size_t> current;
  {
    common::MutexLock lock(mu_);
    if (!waiting_.contains(conn)) return;  // left meanwhile
    view = viewOf();
    if (auto it = room_node_.find(room_id); it != room_node_.end()) current = it->second;
  }
  auto chosen = chooseNode(room_id, view, current, book_);  // blocks on the book
  common::MutexLock lock(mu_);
  auto w = waiting_.find(conn);
  if (w == waiting_.end()) {  // left while the book was asked: nobody of this room may be here now
    if (chosen) {
      post([this, room_id, name = nodeName(*chosen)] { forgetIfIdle(room_id, name); });
    }
    return;
  }
  Pending frames = std::move(w->second);
  waiting_.erase(w);
  if (!chosen) {
    log::warn(
        "media_placement_failed",
        {{"room", room_id}, {"code", chosen.error().code}, {"message", chosen.error().message}});
    for (auto& [peer, frame] : frames) {
      if (frame.type != "media.join") continue;
      peer.outlet->deliver(std::make_shared<const std::string>(realtime::errorFrame(
          "media_unavailable",
          "Video chat is unavailable right now. Chat and the film keep working; try again in a "
          "few seconds.")));
    }
    return;
  }
  const std::size_t node = *chosen;
  room_node_[room_id] = node;
  if (auto it = conn_node_.find(conn); it != conn_node_.end()) {
    it->second.second = node;
  } else {
    conn_node_[conn] = {room_id, node};
    ++room_conns_[room_id];
  }
  for (auto& [peer, frame] : frames) nodes_[node].relay->signal(std::move(peer), std::move(frame));
}

void JanusPool::forgetIfIdle(std::int64_t room_id, const std::string& node) {
  {
    common::MutexLock lock(mu_);
    if (room_conns_.contains(room_id)) return;
    for (const auto& [conn, frames] : waiting_) {
      if (!frames.empty() && frames.front().first.room_id == room_id) return;
    }
  }
  // A join that comes in now is placed after this, on the same thread.
  if (auto r = book_.forget(room_id, node); !r) {
    log::warn("media_placement_forget_failed", {{"room", room_id}, {"message", r.error().message}});
  }
}

void JanusPool::leave(realtime::ConnId conn) {
  std::size_t node = 0;
  {
    common::MutexLock lock(mu_);
    waiting_.erase(conn);
    auto it = conn_node_.find(conn);
    if (it == conn_node_.end()) return;
    const auto [room, n] = it->second;
    node = n;
    conn_node_.erase(it);
    if (--room_conns_[room] == 0) {
      room_conns_.erase(room);
      room_node_.erase(room);
      if (book_.shared()) {
        post([this, room_id = room, name = nodeName(n)] { forgetIfIdle(room_id, name); });
      }
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
