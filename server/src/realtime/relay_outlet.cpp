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
  const std::uint64_t n = out_.add(s);
  publish(n, s);  // under the lock: published in the order numbered
}

void RelayOutlet::publish(std::uint64_t n, const Sent& s) {
  ToEdge m{s.kind, edge_conn_, s.frame ? *s.frame : std::string(), s.code, s.reason, {}};
  m.link = {n, in_.have(), false, false};
  in_.answered();
  // A message lost here is noticed by the edge (a gap, or its bus reconnecting) and sent again.
  if (auto r = bus_.publish(subject_, encode(m)); !r) {
    log::debug("relay_publish_failed", {{"subject", subject_}, {"message", r.error().message}});
  }
}

void RelayOutlet::link(bool resend, bool reply) {
  ToEdge m{ToEdge::Kind::kLink, edge_conn_, {}, 1000, {}, {0, in_.have(), resend, reply}};
  in_.answered();
  if (auto r = bus_.publish(subject_, encode(m)); !r) {
    log::debug("relay_publish_failed", {{"subject", subject_}, {"message", r.error().message}});
  }
}

bool RelayOutlet::fromEdge(const ToOwner& m) {
  common::MutexLock lock(mu_);
  out_.acked(m.link.have);
  if (m.kind == ToOwner::Kind::kLink) {
    if (m.link.resend) {
      auto again = out_.after(m.link.have);
      if (!again) {
        lost_ = true;
        return false;
      }
      for (const auto& [n, s] : *again) publish(n, s);
    }
    if (m.link.reply) link(/*resend=*/true, /*reply=*/false);
    return false;
  }
  if (m.link.n == 0) return true;  // not numbered (a node from before the numbering)
  switch (in_.take(m.link.n)) {
    case RelayReceiver::Verdict::kTake:
      if (in_.owesAck()) link(false, false);
      return true;
    case RelayReceiver::Verdict::kGap:
      log::info("relay_gap",
                {{"subject", subject_}, {"have", static_cast<std::int64_t>(in_.have())}});
      link(/*resend=*/true, /*reply=*/false);
      return false;
    case RelayReceiver::Verdict::kDuplicate:
    case RelayReceiver::Verdict::kGapAsked:
      return false;
  }
  return false;
}

void RelayOutlet::repair(bool reconnected) {
  common::MutexLock lock(mu_);
  if (reconnected) {
    in_.askedAgain();
    link(/*resend=*/true, /*reply=*/true);
  } else if (in_.stuck()) {
    link(/*resend=*/true, /*reply=*/false);
  }
}

void RelayOutlet::abandon() {
  common::MutexLock lock(mu_);
  if (!lost_) return;
  log::warn("relay_lost", {{"subject", subject_}, {"conn", static_cast<std::int64_t>(edge_conn_)}});
  ToEdge m{ToEdge::Kind::kClose, edge_conn_, {}, kCloseRoomMoved, "messages lost", {}};
  m.link.have = in_.have();
  if (auto r = bus_.publish(subject_, encode(m)); !r) {
    log::debug("relay_publish_failed", {{"subject", subject_}, {"message", r.error().message}});
  }
}

bool RelayOutlet::lost() const {
  common::MutexLock lock(mu_);
  return lost_;
}

}  // namespace kino::realtime
