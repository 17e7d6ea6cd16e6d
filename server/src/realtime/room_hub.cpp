// The hub: finds or loads a room's actor, or (in a cluster) a relay to the node that runs it.
#include "kino/realtime/room_hub.hpp"

#include <boost/asio/post.hpp>

#include "kino/common/log.hpp"
#include "kino/realtime/protocol.hpp"
#include "room_hub_impl.hpp"

namespace kino::realtime {

RoomHub::RoomHub(asio::io_context& io, asio::thread_pool& workers, storage::Store& store,
                 rooms::PresenceRegistry& presence, const common::Clock& clock, HubOptions options,
                 std::function<void(const std::string&)> on_room_empty)
    : shared_(std::make_shared<Shared>(*this, io, workers, store, presence, clock,
                                       std::move(options), std::move(on_room_empty))) {
  if (!shared_->clustered()) return;
  // Frames the owners of rooms send to this node's relayed connections.
  std::weak_ptr<Shared> weak = shared_;
  auto inbox = shared_->options.cluster.bus->subscribe(
      nodeInbox(shared_->node()), [weak](const bus::Message& message) {
        auto shared = weak.lock();
        if (!shared) return;
        auto m = decodeToEdge(message.data);
        if (!m) {
          log::warn("relay_message_refused", {{"message", m.error().message}});
          return;
        }
        std::shared_ptr<Outlet> outlet;
        std::shared_ptr<RemoteRoom> relay;
        {
          common::MutexLock lock(shared->edge_mu);
          if (auto it = shared->edge_outlets.find(m->conn); it != shared->edge_outlets.end()) {
            outlet = it->second.outlet.lock();
            relay = it->second.relay.lock();
          }
        }
        if (!outlet) return;  // the socket went away meanwhile
        if (relay ? !relay->fromOwner(*m) : m->kind == ToEdge::Kind::kLink) return;
        if (m->kind == ToEdge::Kind::kFrame) {
          outlet->deliver(std::make_shared<const std::string>(std::move(m->text)));
        } else {
          outlet->close(m->code, m->reason);
        }
      });
  if (inbox) {
    shared_->node_inbox = std::move(inbox).value();
  } else {
    log::error("node_inbox_failed", {{"message", inbox.error().message}});
  }
  // Every node reports how many people are in the rooms it runs ("presence.<node>", each
  // heartbeat), so listings and the empty-room timeout count people on every node.
  auto reports =
      shared_->options.cluster.bus->subscribe("presence.>", [weak](const bus::Message& message) {
        auto shared = weak.lock();
        if (!shared) return;
        const std::string node = message.subject.substr(std::string_view("presence.").size());
        if (node == shared->node()) return;
        auto counts = decodePresence(message.data);
        if (!counts) return;
        shared->presence.replaceRemote(node, std::move(counts).value(),
                                       shared->clock.now() + shared->ttl());
      });
  if (reports) shared_->presence_reports = std::move(reports).value();
  startHeartbeat();
}

RoomHub::~RoomHub() {
  shared_->journal_pool.join();  // its calls end within journal_wait
  shared_->node_inbox.reset();   // their handlers do not run once these return
  shared_->presence_reports.reset();
}

// Renews "node:<id>" every third of the lease ttl: owners drop connections relayed from a node
// whose lease expired (it died).
void RoomHub::startHeartbeat() {
  std::weak_ptr<Shared> weak = shared_;
  asio::post(shared_->workers, [weak] {
    auto s = weak.lock();
    if (!s) return;
    if (auto r = s->leaseCall([&](storage::LeaseRepository& leases) {
          return leases.acquire(nodeLease(s->node()), s->node(), s->clock.now(), s->ttl());
        });
        !r) {
      log::warn("node_heartbeat_failed", {{"message", r.error().message}});
    }
    (void)s->options.cluster.bus->publish("presence." + s->node(),
                                          encodePresence(s->presence.local()));
    s->heartbeat.expires_after(s->ttl() / 3);
    s->heartbeat.async_wait([weak](boost::system::error_code ec) {
      auto again = weak.lock();
      if (!ec && again) again->owner.startHeartbeat();
    });
  });
}

Result<std::uint64_t> RoomHub::replayJournal(std::int64_t room_id, const storage::Fence& fence) {
  const std::string subject = roomJournal(room_id);
  const auto wait = shared_->options.cluster.journal_wait;
  auto claim = shared_->bus().claimJournal(subject, wait);
  if (!claim) return claim.error();
  std::vector<storage::NewMessage> replay;
  for (const auto& entry : claim->entries) {
    auto batch = decodeJournalBatch(entry.data);
    if (!batch) {
      log::warn("chat_journal_entry_refused",
                {{"room", room_id}, {"message", batch.error().message}});
      continue;
    }
    for (auto& m : *batch) {
      if (m.room_id == room_id) replay.push_back(std::move(m));
    }
  }
  if (!replay.empty()) {
    // Stored before the seq floor is read; what an earlier owner already stored comes back as a
    // duplicate and changes nothing.
    auto stored = shared_->store.messages().appendBatch(replay, fence);
    if (!stored) return stored.error();
    log::info("chat_journal_replayed",
              {{"room", room_id}, {"messages", static_cast<std::int64_t>(replay.size())}});
  }
  if (!claim->entries.empty()) {
    if (auto r = shared_->bus().trimJournal(subject, claim->position, wait); !r) {
      log::warn("chat_journal_trim_failed", {{"subject", subject}, {"message", r.error().message}});
    }
  }
  return claim->position;
}

Result<RoomSetup> RoomHub::load(std::int64_t room_id, const std::string& slug,
                                const storage::Fence& fence, std::uint64_t& journal_at) {
  storage::Store& store = shared_->store;
  if (shared_->clustered()) {
    auto at = replayJournal(room_id, fence);
    if (!at) return at.error();
    journal_at = *at;
  }
  auto last = store.messages().lastSeq(room_id);
  if (!last) return last.error();
  auto floor = store.messages().seqFloor(room_id);
  if (!floor) return floor.error();
  // This run numbers events above anything an earlier run may have used, and reserves a block.
  const std::int64_t first_free = std::max(*last, *floor) + 1;
  const std::int64_t reserved = first_free + shared_->options.core.seq_block;
  if (auto r = store.messages().raiseSeqFloor(room_id, reserved, fence); !r) return r.error();
  auto recent = store.messages().page(room_id, std::nullopt,
                                      static_cast<int>(shared_->options.core.snapshot_messages));
  if (!recent) return recent.error();
  auto room = store.rooms().findBySlug(slug);
  if (!room) return room.error();
  RoomSetup setup;
  setup.room_id = room_id;
  setup.last_seq = *last;
  setup.first_free_seq = first_free;
  setup.reserved_until = reserved;
  setup.recent = std::move(recent).value();
  setup.control_policy = room->control_policy;
  setup.buffering_policy = room->buffering_policy;
  if (room->status == "ended") {
    setup.ended = RoomEnd{room->ended_reason,
                          room->ended_at ? common::toRfc3339(*room->ended_at) : std::string()};
  }
  if (auto p = store.playback().last(room_id)) {
    setup.playback = {p->playing, p->position_s, p->rate,   p->at_server_ms,
                      p->volume,  p->muted,      p->action, realtime::memberIdFor(p->by_principal),
                      p->by_name};
  } else if (p.error().kind != ErrorKind::kNotFound) {
    return p.error();
  }
  return setup;
}

Result<std::shared_ptr<RoomLink>> RoomHub::acquire(std::int64_t room_id, const std::string& slug) {
  {
    common::MutexLock lock(mu_);
    if (auto it = actors_.find(room_id); it != actors_.end()) {
      ++it->second->impl_->pending;
      return std::shared_ptr<RoomLink>(it->second);
    }
  }
  std::optional<storage::LeaseRecord> lease;
  if (shared_->clustered()) {
    const auto now = shared_->clock.now();
    if (!shared_->reach.expiryMeansGone(now)) {
      // Just after a store outage an expired lease may belong to a live owner that has not
      // renewed yet: relay to it rather than take the room from it.
      auto held = shared_->leaseCall(
          [&](storage::LeaseRepository& leases) { return leases.find(roomLease(room_id)); });
      if (held && held->holder != shared_->node() && held->expires_at > common::fromUnixMillis(0)) {
        return relayTo(room_id, *held);
      }
    }
    auto l = shared_->leaseCall([&](storage::LeaseRepository& leases) {
      return leases.acquire(roomLease(room_id), shared_->node(), now, shared_->ttl());
    });
    if (!l) return l.error();
    if (l->holder != shared_->node()) return relayTo(room_id, *l);
    lease = std::move(l).value();
    // This node relayed the room's sockets to the owner before it: they reconnect now (and reach
    // the room here) instead of when the relay notices the old owner is gone.
    std::shared_ptr<RemoteRoom> stale;
    {
      common::MutexLock lock(mu_);
      if (auto it = relays_.find(room_id); it != relays_.end()) stale = it->second;
    }
    if (stale) stale->closeAll(kCloseRoomMoved, "room moved");
  }
  // Loading blocks on the store: not under the lock, so other rooms are not held up. Two visitors
  // of a room with no actor may both load it; the first to insert wins (the other's load only
  // reserved a block of seq numbers that nobody uses).
  std::uint64_t journal_at = 0;
  auto setup =
      load(room_id, slug,
           lease ? storage::Fence{lease->name, lease->holder, lease->token} : storage::Fence{},
           journal_at);
  if (!setup) return setup.error();
  auto actor = std::make_shared<RoomActor>(std::make_unique<RoomActor::Impl>(
      shared_, slug, std::move(setup).value(), lease, journal_at));
  common::MutexLock lock(mu_);
  auto [it, inserted] = actors_.emplace(room_id, actor);
  ++it->second->impl_->pending;
  if (!inserted && journal_at != 0) {
    // This load lost the race but its claim of the journal may be the later one: appends go
    // after the newest claim (both are this node's, under one lease).
    asio::post(it->second->impl_->strand, [a = it->second, journal_at] {
      if (a->impl_->journal) {
        a->impl_->journal->position = std::max(a->impl_->journal->position, journal_at);
      }
    });
  }
  if (inserted) {
    if (shared_->clustered()) {
      // Connections other nodes relay to this room, from now on.
      std::weak_ptr<RoomActor> weak = actor;
      auto inbox = shared_->options.cluster.bus->subscribe(
          roomInbox(room_id), [weak](const bus::Message& message) {
            auto a = weak.lock();
            if (!a) return;
            auto m = decodeToOwner(message.data);
            if (!m) {
              log::warn("relay_message_refused", {{"message", m.error().message}});
              return;
            }
            asio::post(a->impl_->strand, [a, m = std::move(m).value()]() mutable {
              a->impl_->relayed(std::move(m), a);
            });
          });
      if (inbox) {
        actor->impl_->inbox = std::move(inbox).value();
      } else {
        log::error("room_inbox_failed", {{"room", room_id}, {"message", inbox.error().message}});
      }
    }
    asio::post(actor->impl_->strand, [actor] { actor->impl_->scheduleTick(actor); });
  }
  return std::shared_ptr<RoomLink>(it->second);
}

std::shared_ptr<RoomLink> RoomHub::relayTo(std::int64_t room_id,
                                           const storage::LeaseRecord& lease) {
  common::MutexLock lock(mu_);
  auto it = relays_.find(room_id);
  if (it == relays_.end() || !it->second->matches(lease)) {
    auto relay = std::make_shared<RemoteRoom>(shared_, room_id, lease);
    relay->start();
    it = relays_.insert_or_assign(room_id, std::move(relay)).first;
  }
  ++it->second->pending;
  return it->second;
}

bool RoomHub::release(std::int64_t room_id, const RoomActor* actor, bool force) {
  common::MutexLock lock(mu_);
  auto it = actors_.find(room_id);
  if (it == actors_.end() || it->second.get() != actor) return true;  // already gone
  if (!force && actor->impl_->pending.load() > 0) return false;       // someone is about to connect
  actors_.erase(it);
  return true;
}

void RoomHub::forgetRelay(std::int64_t room_id, const RemoteRoom* relay) {
  common::MutexLock lock(mu_);
  auto it = relays_.find(room_id);
  if (it != relays_.end() && it->second.get() == relay && relay->unused()) relays_.erase(it);
}

void RoomHub::endRoom(std::int64_t room_id, RoomEnd how) {
  common::MutexLock lock(mu_);
  if (auto it = actors_.find(room_id); it != actors_.end()) {
    it->second->end(std::move(how));
    return;
  }
  if (!shared_->clustered()) return;
  // The room may run on another node: its owner ends it there (nobody runs it: nothing to do).
  const ToOwner m{ToOwner::Kind::kEnd, shared_->node(), 0, {}, {}, {}, std::move(how), {}};
  if (auto r = shared_->options.cluster.bus->publish(roomInbox(room_id), encode(m)); !r) {
    log::warn("room_end_relay_failed", {{"room", room_id}, {"message", r.error().message}});
  }
}

void RoomHub::closeAll() {
  const bool cluster = shared_->clustered();
  std::vector<std::shared_ptr<RemoteRoom>> relays;
  {
    common::MutexLock lock(mu_);
    for (auto& [id, actor] : actors_) {
      actor->closeAll(cluster ? kCloseRoomMoved : 1001,
                      cluster ? "node shutting down" : "server shutting down");
    }
    for (auto& [id, relay] : relays_) relays.push_back(relay);
  }
  for (auto& relay : relays) relay->closeAll(kCloseRoomMoved, "node shutting down");
}

std::size_t RoomHub::actorCount() const {
  common::MutexLock lock(mu_);
  return actors_.size();
}

std::size_t RoomHub::relayCount() const {
  common::MutexLock lock(mu_);
  return relays_.size();
}

}  // namespace kino::realtime
