// A room run on this node: its RoomCore on a strand, timers, the store calls it makes on the
// worker pool, and (in a cluster) its lease and the connections other nodes relay to it.
#include <boost/asio/post.hpp>

#include <optional>
#include <utility>

#include "kino/common/log.hpp"
#include "kino/realtime/protocol.hpp"
#include "relay_outlet.hpp"
#include "room_hub_impl.hpp"

namespace kino::realtime {

// Drives RoomCore::tick about once a second, on the strand, until the actor is released; in a
// cluster it also renews the room's lease.
void RoomActor::Impl::scheduleTick(const std::shared_ptr<RoomActor>& self) {
  timer.expires_after(std::chrono::seconds(1));
  timer.async_wait([self](boost::system::error_code ec) {
    if (ec || self->impl_->released) return;
    self->impl_->apply(self->impl_->core.tick(), self);
    if (self->impl_->lease) self->impl_->checkLease(self);
    if (self->impl_->hub->clustered()) self->impl_->repairRelays();
    self->impl_->flushJournal(self);
    self->impl_->scheduleTick(self);
  });
}

// Calls RoomCore::tick at `at_ms` (server time), unless an earlier wake is already set.
void RoomActor::Impl::wakeAt(std::int64_t at_ms, const std::shared_ptr<RoomActor>& self) {
  if (wake_at_ms && *wake_at_ms <= at_ms) return;
  wake_at_ms = at_ms;
  wake.expires_after(std::chrono::milliseconds(std::max<std::int64_t>(at_ms - nowMs(), 0)));
  wake.async_wait([self](boost::system::error_code ec) {
    if (ec || self->impl_->released) return;
    self->impl_->wake_at_ms.reset();
    self->impl_->apply(self->impl_->core.tick(), self);
  });
}

// Carries out what the core decided. Runs on `strand`.
void RoomActor::Impl::apply(Effects fx, const std::shared_ptr<RoomActor>& self) {
  for (auto& [conn, frame] : fx.sends) {
    if (auto it = outlets.find(conn); it != outlets.end()) it->second->deliver(std::move(frame));
  }
  for (auto& c : fx.closes) {
    if (auto it = outlets.find(c.conn); it != outlets.end()) it->second->close(c.code, c.reason);
  }
  applyMedia(fx);
  for (std::size_t i = 0; i < fx.members_entered.size(); ++i) hub->presence.entered(slug);
  for (std::size_t i = 0; i < fx.members_left.size(); ++i) hub->presence.left(slug);
  recordVisits(fx, self);
  if (fx.now_empty && hub->on_room_empty) {
    asio::post(hub->workers, [h = hub, s = slug] { h->on_room_empty(s); });
  }
  if (fx.wake_at_ms) wakeAt(*fx.wake_at_ms, self);
  if (!fx.persist_playback.empty()) {
    asio::post(hub->workers, [h = hub, f = fence(), events = std::move(fx.persist_playback)] {
      if (auto r = h->store.playback().append(events, f); !r) {
        log::warn("playback_persist_failed", {{"message", r.error().message}});
      }
    });
  }
  if (fx.persist_policy) {
    asio::post(hub->workers, [h = hub, id = room_id, p = *fx.persist_policy] {
      (void)h->store.playback().setPolicy(id, p.first, p.second);
    });
  }
  if (fx.reserve_seq_floor) {
    asio::post(hub->workers, [h = hub, f = fence(), id = room_id, floor = *fx.reserve_seq_floor] {
      if (auto r = h->store.messages().raiseSeqFloor(id, floor, f); !r) {
        log::warn("seq_floor_failed", {{"room", id}, {"message", r.error().message}});
      }
    });
  }
  // Durable before delivery: the core hears back on the strand (room_actor_chat.cpp).
  if (!fx.persist.empty()) persistChat(std::move(fx.persist), self);
  maybeRelease(self);
}

void RoomActor::Impl::recordVisits(const Effects& fx, const std::shared_ptr<RoomActor>& self) {
  for (const Effects::MemberMove& m : fx.members_entered) visit_queue.push_back({true, m});
  for (const Effects::MemberMove& m : fx.members_left) visit_queue.push_back({false, m});
  if (!writing_visits) writeVisits(self);
}

// Hands the queued visit writes to the worker pool as one job; when it is done, the next batch.
void RoomActor::Impl::writeVisits(const std::shared_ptr<RoomActor>& self) {
  if (visit_queue.empty()) return;
  writing_visits = true;
  asio::post(hub->workers, [self, id = room_id, batch = std::exchange(visit_queue, {})] {
    storage::VisitRepository& visits = self->impl_->hub->store.visits();
    for (const VisitWrite& w : batch) {
      const Effects::MemberMove& m = w.move;
      std::optional<Error> failed;
      if (w.opens) {
        if (auto r = visits.open(id, m.principal, m.name, m.at); !r) failed = r.error();
      } else if (auto r = visits.close(id, m.principal, m.at); !r) {
        failed = r.error();
      }
      if (failed) {
        log::warn(w.opens ? "visit_open_failed" : "visit_close_failed",
                  {{"room", id}, {"message", failed->message}});
      }
    }
    asio::post(self->impl_->strand, [self] {
      self->impl_->writing_visits = false;
      self->impl_->writeVisits(self);
    });
  });
}

// Hands video-call signalling to the relay (answers go straight to the connection's outlet).
void RoomActor::Impl::applyMedia(Effects& fx) {
  MediaGateway* media = hub->options.media;
  for (auto& m : fx.media_signals) {
    auto it = outlets.find(m.conn);
    if (it == outlets.end()) continue;
    if (!media) {
      it->second->deliver(std::make_shared<const std::string>(
          errorFrame("media_disabled",
                     "Video chat is turned off on this server. Chat and the film work as usual.")));
      continue;
    }
    media->signal({room_id, slug, m.conn, m.participant_id, it->second}, std::move(m.signal));
  }
  if (media) {
    for (ConnId conn : fx.media_leaves) media->leave(conn);
  }
}

// Releases the actor once it has been idle (nobody connected, nothing to store or send) for
// release_after and no acquire() is waiting to connect. Runs on `strand`.
void RoomActor::Impl::maybeRelease(const std::shared_ptr<RoomActor>& self) {
  if (released) return;
  if (!outlets.empty() || !core.idle() || !chatIdle() || pending.load() > 0) {
    idle_since_ms.reset();
    return;
  }
  const std::int64_t now = nowMs();
  if (!idle_since_ms) idle_since_ms = now;
  if (now - *idle_since_ms < hub->options.release_after.count()) return;  // the tick comes back
  if (!hub->owner.release(room_id, self.get())) return;
  forget();
}

// The actor is out of the hub: stop its timers and inbox, and give the lease back.
void RoomActor::Impl::forget() {
  released = true;
  timer.cancel();
  wake.cancel();
  store_wait.cancel();
  inbox.reset();
  if (lease) {
    asio::post(hub->workers, [h = hub, l = *lease] {
      if (auto r = h->store.leases().release(l.name, l.holder, l.token); !r) {
        log::warn("lease_release_failed", {{"lease", l.name}, {"message", r.error().message}});
      }
    });
    lease.reset();
  }
}

void RoomActor::Impl::stop(int code, const std::string& reason,
                           const std::shared_ptr<RoomActor>& self) {
  if (released) return;
  for (auto& [conn, outlet] : outlets) {
    outlet->close(code, reason);
    if (MediaGateway* media = hub->options.media) media->leave(conn);
    // The room's state goes with the actor; only this node's presence count must follow. Visits
    // stay open: the room goes on elsewhere and its people reconnect there.
    const Effects fx = core.disconnect(conn);
    for (std::size_t i = 0; i < fx.members_left.size(); ++i) hub->presence.left(slug);
  }
  outlets.clear();
  relay_outlets.clear();
  relayed_conns.clear();
  relayed_from.clear();
  hub->owner.release(room_id, self.get(), /*force=*/true);
  forget();
}

void RoomActor::Impl::relayed(ToOwner m, const std::shared_ptr<RoomActor>& self) {
  if (released) return;  // the edge notices the lease is gone and reconnects its sockets
  const auto key = std::make_pair(m.node, m.conn);
  auto local = relayed_conns.find(key);
  switch (m.kind) {
    case ToOwner::Kind::kConnect: {
      if (local != relayed_conns.end()) return;  // a repeated connect
      const ConnId conn = hub->next_relayed++;
      relayed_conns[key] = conn;
      relayed_from[conn] = m.node;
      auto outlet = std::make_shared<RelayOutlet>(*hub->options.cluster.bus, m.node, m.conn);
      relay_outlets[conn] = outlet;
      outlets[conn] = std::move(outlet);
      m.connect.conn = conn;
      apply(core.connect(std::move(m.connect)), self);
      return;
    }
    case ToOwner::Kind::kFrame:
      if (local != relayed_conns.end() && takeRelayed(local->second, m)) {
        apply(core.receive(local->second, m.text), self);
      }
      return;
    case ToOwner::Kind::kReject:
      if (local != relayed_conns.end() && takeRelayed(local->second, m)) {
        apply(core.reject(local->second, m.error), self);
      }
      return;
    case ToOwner::Kind::kLink:
      if (local != relayed_conns.end()) takeRelayed(local->second, m);
      return;
    case ToOwner::Kind::kLeave:
      if (local == relayed_conns.end()) return;
      outlets.erase(local->second);
      relay_outlets.erase(local->second);
      relayed_from.erase(local->second);
      {
        const ConnId conn = local->second;
        relayed_conns.erase(local);
        apply(core.disconnect(conn), self);
      }
      return;
    case ToOwner::Kind::kEnd:
      apply(core.end(m.end), self);
      return;
  }
}

bool RoomActor::Impl::takeRelayed(ConnId conn, const ToOwner& m) {
  auto it = relay_outlets.find(conn);
  if (it == relay_outlets.end()) return true;
  const bool take = it->second->fromEdge(m);
  if (it->second->lost()) it->second->abandon();
  return take;
}

void RoomActor::Impl::repairRelays() {
  const std::uint64_t seen = hub->options.cluster.bus->reconnects();
  const bool reconnected = bus_reconnects != seen;
  bus_reconnects = seen;
  if (reconnected) {
    log::info("relay_repair", {{"room", room_id},
                               {"connections", static_cast<std::int64_t>(relay_outlets.size())}});
  }
  for (auto& [conn, outlet] : relay_outlets) outlet->repair(reconnected);
}

void RoomActor::Impl::checkLease(const std::shared_ptr<RoomActor>& self) {
  if (checking_lease || !lease) return;
  checking_lease = true;
  std::set<std::string> edges;
  for (const auto& [conn, node] : relayed_from) edges.insert(node);
  asio::post(hub->workers, [self, l = *lease, edges = std::move(edges)] {
    auto& h = *self->impl_->hub;
    auto renewed = h.leaseCall([&](storage::LeaseRepository& leases) {
      return leases.renew(l.name, l.holder, l.token, h.clock.now(), h.ttl());
    });
    // A store that cannot be reached says nothing about the lease: keep running, try again.
    const bool kept = !renewed || (renewed->holder == l.holder && renewed->token == l.token);
    std::set<std::string> dead;
    for (const auto& edge : edges) {
      auto alive = h.leaseCall(
          [&](storage::LeaseRepository& leases) { return leases.find(nodeLease(edge)); });
      const auto now = h.clock.now();
      const bool expired = alive && alive->expires_at <= now && h.reach.expiryMeansGone(now);
      if (alive && (alive->holder != edge || expired)) dead.insert(edge);
    }
    asio::post(self->impl_->strand, [self, kept, dead = std::move(dead)] {
      self->impl_->leaseChecked(kept, dead, self);
    });
  });
}

void RoomActor::Impl::leaseChecked(bool kept, const std::set<std::string>& dead_edges,
                                   const std::shared_ptr<RoomActor>& self) {
  checking_lease = false;
  if (released) return;
  if (!kept) {
    log::warn("room_lease_lost", {{"room", room_id}, {"node", hub->node()}});
    stop(kCloseRoomMoved, "room moved", self);
    return;
  }
  for (auto it = relayed_from.begin(); it != relayed_from.end();) {
    if (!dead_edges.contains(it->second)) {
      ++it;
      continue;
    }
    const ConnId conn = it->first;
    log::info("relayed_conn_dropped", {{"room", room_id}, {"edge", it->second}});
    std::erase_if(relayed_conns, [conn](const auto& kv) { return kv.second == conn; });
    it = relayed_from.erase(it);
    outlets.erase(conn);
    relay_outlets.erase(conn);
    apply(core.disconnect(conn), self);
  }
}

RoomActor::RoomActor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RoomActor::~RoomActor() = default;

void RoomActor::connect(Connect c, std::shared_ptr<Outlet> outlet) {
  asio::post(impl_->strand,
             [self = shared_from_this(), c = std::move(c), outlet = std::move(outlet)]() mutable {
               --self->impl_->pending;
               if (self->impl_->released) {  // the lease was lost between acquire() and now
                 outlet->close(kCloseRoomMoved, "room moved");
                 return;
               }
               self->impl_->outlets[c.conn] = std::move(outlet);
               self->impl_->apply(self->impl_->core.connect(std::move(c)), self);
             });
}

void RoomActor::abandon() {
  asio::post(impl_->strand, [self = shared_from_this()] {
    --self->impl_->pending;
    self->impl_->maybeRelease(self);
  });
}

void RoomActor::disconnect(ConnId conn) {
  asio::post(impl_->strand, [self = shared_from_this(), conn] {
    if (self->impl_->outlets.erase(conn) == 0) return;
    self->impl_->apply(self->impl_->core.disconnect(conn), self);
  });
}

void RoomActor::receive(ConnId conn, std::string text) {
  asio::post(impl_->strand, [self = shared_from_this(), conn, text = std::move(text)] {
    if (!self->impl_->outlets.contains(conn)) return;
    self->impl_->apply(self->impl_->core.receive(conn, text), self);
  });
}

void RoomActor::reject(ConnId conn, FrameError error) {
  asio::post(impl_->strand, [self = shared_from_this(), conn, error = std::move(error)] {
    if (!self->impl_->outlets.contains(conn)) return;
    self->impl_->apply(self->impl_->core.reject(conn, error), self);
  });
}

void RoomActor::end(RoomEnd how) {
  asio::post(impl_->strand, [self = shared_from_this(), how = std::move(how)] {
    self->impl_->apply(self->impl_->core.end(how), self);
  });
}

void RoomActor::closeAll(int code, std::string reason) {
  asio::post(impl_->strand, [self = shared_from_this(), code, reason = std::move(reason)] {
    if (self->impl_->lease) {
      self->impl_->stop(code, reason, self);  // hand the room over: give the lease back
      return;
    }
    for (auto& [conn, outlet] : self->impl_->outlets) outlet->close(code, reason);
  });
}

}  // namespace kino::realtime
