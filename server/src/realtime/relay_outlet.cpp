#include "relay_outlet.hpp"

#include "kino/common/log.hpp"
#include "room_hub_impl.hpp"

namespace kino::realtime {

RelayOutlet::RelayOutlet(bus::Bus& bus, const std::string& edge, ConnId edge_conn)
    : bus_(bus), subject_(nodeInbox(edge)), edge_conn_(edge_conn) {}

void RelayOutlet::deliver(Frame frame) { send({ToEdge::Kind::kFrame, std::move(frame), 1000, {}}); }

void RelayOutlet::close(int code, std::string reason) {
  send({ToEdge::Kind::kClose, nullptr, code, std::move(reason)});
}

void RelayOutlet::send(const Sent& s) {
  common::MutexLock lock(mu_);
  publish(message(s, end_.send(s)));  // under the lock: published in the order numbered
}

ToEdge RelayOutlet::message(const Sent& s, const LinkState& link) const {
  return {s.kind, edge_conn_, s.frame ? *s.frame : std::string(), s.code, s.reason, link};
}

void RelayOutlet::publish(const ToEdge& m) {
  // A message lost here is noticed by the edge (a gap, or its bus reconnecting) and sent again.
  if (auto r = bus_.publish(subject_, encode(m)); !r) {
    log::debug("relay_publish_failed", {{"subject", subject_}, {"message", r.error().message}});
  }
}

bool RelayOutlet::fromEdge(const ToOwner& m) {
  common::MutexLock lock(mu_);
  auto step = end_.onMessage(m.link, m.kind == ToOwner::Kind::kLink);
  if (step.gap) {
    log::info("relay_gap",
              {{"subject", subject_}, {"have", static_cast<std::int64_t>(end_.have())}});
  }
  if (step.lost) lost_ = true;
  for (const auto& [n, s] : step.resend) publish(message(s, end_.again(n)));
  if (step.link) publish({ToEdge::Kind::kLink, edge_conn_, {}, 1000, {}, *step.link});
  return step.take;
}

void RelayOutlet::repair(bool reconnected) {
  common::MutexLock lock(mu_);
  if (auto link = end_.repair(reconnected)) {
    publish({ToEdge::Kind::kLink, edge_conn_, {}, 1000, {}, *link});
  }
}

void RelayOutlet::abandon() {
  common::MutexLock lock(mu_);
  if (!lost_) return;
  log::warn("relay_lost", {{"subject", subject_}, {"conn", static_cast<std::int64_t>(edge_conn_)}});
  publish({ToEdge::Kind::kClose,
           edge_conn_,
           {},
           kCloseRoomMoved,
           "messages lost",
           {0, end_.have(), false, false}});
}

bool RelayOutlet::lost() const {
  common::MutexLock lock(mu_);
  return lost_;
}

}  // namespace kino::realtime
