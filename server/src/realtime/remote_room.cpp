// The edge side of a room another node runs: connections relayed over the bus, and a watch on the
// owner's lease.
#include <algorithm>

#include <boost/asio/post.hpp>

#include "kino/common/log.hpp"
#include "room_hub_impl.hpp"

namespace kino::realtime {

namespace {
constexpr auto kWatchEvery = std::chrono::milliseconds(1000);
// How long after the owner's lease should have expired it is read again (renewals in flight).
constexpr auto kExpiryMargin = std::chrono::milliseconds(50);
// A connect the owner has not answered in this long is sent again (it may have been published
// before the owner subscribed to the room's inbox: a node that has just taken the room over is
// still loading it); while one waits, the relay looks this often.
constexpr auto kResendConnectAfter = std::chrono::milliseconds(400);
constexpr auto kWatchWhileUnheard = std::chrono::milliseconds(200);
}  // namespace

RemoteRoom::RemoteRoom(std::shared_ptr<RoomHub::Shared> hub, std::int64_t room_id,
                       storage::LeaseRecord owner)
    : hub_(std::move(hub)),
      room_id_(room_id),
      owner_(std::move(owner)),
      subject_(roomInbox(room_id)),
      reconnects_seen_(hub_->options.cluster.bus->reconnects()),
      strand_(asio::make_strand(hub_->io)),
      timer_(strand_) {}

RemoteRoom::~RemoteRoom() = default;

void RemoteRoom::publish(const ToOwner& m) {
  if (auto r = hub_->options.cluster.bus->publish(subject_, encode(m)); !r) {
    log::debug("relay_publish_failed", {{"subject", subject_}, {"message", r.error().message}});
  }
}

void RemoteRoom::connect(Connect c, std::shared_ptr<Outlet> outlet) {
  --pending;
  ToOwner m{ToOwner::Kind::kConnect, hub_->node(), c.conn, c, {}, {}, {}, {}};
  {
    common::MutexLock lock(mu_);
    if (gone_) {
      outlet->close(kCloseRoomMoved, "room moved");
      return;
    }
    {
      common::MutexLock edge(hub_->edge_mu);
      hub_->edge_outlets[c.conn] = {outlet, weak_from_this()};
    }
    const ConnId conn = c.conn;
    conns_[conn] =
        Relayed{std::move(c), std::move(outlet), std::chrono::steady_clock::now(), false, {}};
  }
  publish(m);
  watch(kWatchWhileUnheard);  // until the owner answers
}

void RemoteRoom::abandon() {
  --pending;
  hub_->owner.forgetRelay(room_id_, this);
}

void RemoteRoom::disconnect(ConnId conn) {
  bool known = false;
  {
    common::MutexLock lock(mu_);
    known = conns_.erase(conn) > 0;
  }
  {
    common::MutexLock edge(hub_->edge_mu);
    hub_->edge_outlets.erase(conn);
  }
  if (known) publish({ToOwner::Kind::kLeave, hub_->node(), conn, {}, {}, {}, {}, {}});
  hub_->owner.forgetRelay(room_id_, this);
}

void RemoteRoom::receive(ConnId conn, std::string text) {
  send(conn, {ToOwner::Kind::kFrame, hub_->node(), conn, {}, std::move(text), {}, {}, {}});
}

void RemoteRoom::reject(ConnId conn, FrameError error) {
  send(conn, {ToOwner::Kind::kReject, hub_->node(), conn, {}, {}, std::move(error), {}, {}});
}

void RemoteRoom::send(ConnId conn, ToOwner m) {
  common::MutexLock lock(mu_);
  auto it = conns_.find(conn);
  if (it == conns_.end()) return;  // closing
  m.link = it->second.link.send(m);
  publish(m);  // under the lock: published in the order numbered
}

void RemoteRoom::publishLink(ConnId conn, const LinkState& link) {
  publish({ToOwner::Kind::kLink, hub_->node(), conn, {}, {}, {}, {}, link});
}

bool RemoteRoom::fromOwner(const ToEdge& m) {
  std::shared_ptr<Outlet> lost;
  bool take = false;
  {
    common::MutexLock lock(mu_);
    auto it = conns_.find(m.conn);
    if (it == conns_.end()) return false;
    Relayed& r = it->second;
    r.heard = true;
    auto step = r.link.onMessage(m.link, m.kind == ToEdge::Kind::kLink);
    if (step.gap) {
      log::info("relay_gap",
                {{"room", room_id_}, {"have", static_cast<std::int64_t>(r.link.have())}});
    }
    for (auto& [n, sent] : step.resend) {
      sent.link = r.link.again(n);
      publish(sent);
    }
    if (step.link) publishLink(m.conn, *step.link);
    if (step.lost) lost = r.outlet;
    take = step.take;
  }
  if (lost) {
    log::warn("relay_lost", {{"room", room_id_}, {"conn", static_cast<std::int64_t>(m.conn)}});
    lost->close(kCloseRoomMoved, "messages lost");
  }
  return take;
}

bool RemoteRoom::matches(const storage::LeaseRecord& owner) const {
  return owner.holder == owner_.holder && owner.token == owner_.token;
}

bool RemoteRoom::unused() const {
  common::MutexLock lock(mu_);
  return conns_.empty() && pending.load() == 0;
}

// The first look comes just after the lease the relay was made with runs out (a relay made for an
// owner that has just died is let go as soon as that is known).
void RemoteRoom::start() {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(owner_.expires_at - hub_->clock.now());
  watch(std::clamp(left + kExpiryMargin, kExpiryMargin, kWatchEvery));
}

void RemoteRoom::watch(std::chrono::milliseconds wait) {
  asio::post(strand_, [weak = weak_from_this(), wait] {
    auto self = weak.lock();
    if (!self) return;
    {
      common::MutexLock lock(self->mu_);
      if (self->gone_) return;
    }
    self->timer_.expires_after(wait);
    self->timer_.async_wait([weak](boost::system::error_code ec) {
      auto watched = weak.lock();
      if (ec || !watched) return;
      asio::post(watched->hub_->workers, [room = watched] {
        auto& h = *room->hub_;
        auto lease = h.leaseCall([&](storage::LeaseRepository& leases) {
          return leases.find(roomLease(room->room_id_));
        });
        // A store that cannot be reached says nothing about the owner: keep relaying. Nor does a
        // lease that ran out during a store outage (StoreReach): the owner renews it once it can.
        const auto now = h.clock.now();
        const bool alive = !lease ? lease.error().kind != ErrorKind::kNotFound
                                  : room->matches(*lease) &&
                                        (lease->expires_at > now || !h.reach.expiryMeansGone(now));
        auto next = std::chrono::milliseconds(kWatchEvery);
        if (lease && alive && lease->expires_at > now) {
          next = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(
                                lease->expires_at - now + kExpiryMargin),
                            kExpiryMargin, next);
        }
        room->checked(alive, next);
      });
    });
  });
}

void RemoteRoom::checked(bool owner_alive, std::chrono::milliseconds next_wait) {
  if (!owner_alive) {
    log::info("room_owner_gone", {{"room", room_id_}, {"owner", owner_.holder}});
    closeAll(kCloseRoomMoved, "room moved");
    return;
  }
  std::vector<ToOwner> resend;
  {
    common::MutexLock lock(mu_);
    if (gone_) return;
    const auto now = std::chrono::steady_clock::now();
    // After this node's bus reconnected, frames either way may have been lost: each side says how
    // far it got and sends again what the other lacks. A gap that did not close is asked again.
    const std::uint64_t seen = hub_->options.cluster.bus->reconnects();
    const bool reconnected = seen != reconnects_seen_;
    reconnects_seen_ = seen;
    if (reconnected)
      log::info("relay_repair",
                {{"room", room_id_}, {"connections", static_cast<std::int64_t>(conns_.size())}});
    for (auto& [conn, r] : conns_) {
      if (r.heard) {
        if (auto link = r.link.repair(reconnected)) publishLink(conn, *link);
      }
      if (!r.heard) next_wait = std::min(next_wait, std::chrono::milliseconds(kWatchWhileUnheard));
      if (r.heard || now - r.sent < kResendConnectAfter) continue;
      r.sent = now;
      resend.push_back({ToOwner::Kind::kConnect, hub_->node(), conn, r.connect, {}, {}, {}, {}});
    }
  }
  for (const auto& m : resend) publish(m);
  watch(next_wait);
}

void RemoteRoom::closeAll(int code, const std::string& reason) {
  std::map<ConnId, Relayed> conns;
  {
    common::MutexLock lock(mu_);
    gone_ = true;
    conns.swap(conns_);
  }
  asio::post(strand_, [self = shared_from_this()] { self->timer_.cancel(); });
  {
    common::MutexLock edge(hub_->edge_mu);
    for (const auto& [conn, r] : conns) hub_->edge_outlets.erase(conn);
  }
  for (auto& [conn, r] : conns) r.outlet->close(code, reason);
  hub_->owner.forgetRelay(room_id_, this);
}

}  // namespace kino::realtime
