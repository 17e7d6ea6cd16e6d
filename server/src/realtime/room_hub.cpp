// The Asio side of room actors: strands, timers and the worker pool. No Beast here.
#include "kino/realtime/room_hub.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>

#include "kino/common/log.hpp"
#include "kino/realtime/protocol.hpp"

namespace kino::realtime {

namespace asio = boost::asio;

struct RoomHub::Shared {
  Shared(RoomHub& h, asio::io_context& i, asio::thread_pool& w, storage::Store& st,
         rooms::PresenceRegistry& p, const common::Clock& c, HubOptions o,
         std::function<void(const std::string&)> empty)
      : owner(h), io(i), workers(w), store(st), presence(p), clock(c), options(o),
        on_room_empty(std::move(empty)), people(c, o.core.limits) {}

  RoomHub& owner;  // outlives every actor's work: ~RoomHub runs after the io_context stopped
  asio::io_context& io;
  asio::thread_pool& workers;
  storage::Store& store;
  rooms::PresenceRegistry& presence;
  const common::Clock& clock;
  HubOptions options;
  std::function<void(const std::string&)> on_room_empty;
  PersonLimiters people;
};

struct RoomActor::Impl {
  Impl(std::shared_ptr<RoomHub::Shared> h, std::string s, RoomSetup setup)
      : hub(std::move(h)), room_id(setup.room_id), slug(std::move(s)),
        strand(asio::make_strand(hub->io)), timer(strand), wake(strand),
        core(std::move(setup), hub->clock, hub->people, hub->options.core) {}

  std::int64_t nowMs() const { return common::toUnixMillis(hub->clock.now()); }

  // Drives RoomCore::tick about once a second, on the strand, until the actor is released.
  void scheduleTick(const std::shared_ptr<RoomActor>& self) {
    timer.expires_after(std::chrono::seconds(1));
    timer.async_wait([self](boost::system::error_code ec) {
      if (ec || self->impl_->released) return;
      self->impl_->apply(self->impl_->core.tick(), self);
      self->impl_->scheduleTick(self);
    });
  }

  // Calls RoomCore::tick at `at_ms` (server time), unless an earlier wake is already set.
  void wakeAt(std::int64_t at_ms, const std::shared_ptr<RoomActor>& self) {
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
  void apply(Effects fx, const std::shared_ptr<RoomActor>& self) {
    for (auto& [conn, frame] : fx.sends) {
      if (auto it = outlets.find(conn); it != outlets.end()) it->second->deliver(std::move(frame));
    }
    for (auto& c : fx.closes) {
      if (auto it = outlets.find(c.conn); it != outlets.end()) it->second->close(c.code, c.reason);
    }
    applyMedia(fx);
    for (int i = 0; i < fx.members_entered; ++i) hub->presence.entered(slug);
    for (int i = 0; i < fx.members_left; ++i) hub->presence.left(slug);
    if (fx.now_empty && hub->on_room_empty) {
      asio::post(hub->workers, [h = hub, s = slug] { h->on_room_empty(s); });
    }
    if (fx.wake_at_ms) wakeAt(*fx.wake_at_ms, self);
    if (!fx.persist_playback.empty()) {
      asio::post(hub->workers, [h = hub, events = std::move(fx.persist_playback)] {
        if (auto r = h->store.playback().append(events); !r) {
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
      asio::post(hub->workers, [h = hub, id = room_id, floor = *fx.reserve_seq_floor] {
        if (auto r = h->store.messages().raiseSeqFloor(id, floor); !r) {
          log::warn("seq_floor_failed", {{"room", id}, {"message", r.error().message}});
        }
      });
    }
    if (!fx.persist.empty()) {
      // Durable before delivery: the store call blocks, so it runs on the worker pool; the result
      // comes back to the strand.
      asio::post(hub->workers, [self, batch = std::move(fx.persist)] {
        auto result = self->impl_->hub->store.messages().appendBatch(batch);
        if (!result) {
          log::error("chat_persist_failed", {{"room", self->impl_->slug},
                                             {"message", result.error().message}});
        }
        asio::post(self->impl_->strand, [self, result = std::move(result)] {
          self->impl_->apply(self->impl_->core.persisted(result), self);
        });
      });
    }
    maybeRelease(self);
  }

  // Hands video-call signalling to the relay (answers go straight to the connection's outlet).
  void applyMedia(Effects& fx) {
    MediaGateway* media = hub->options.media;
    for (auto& m : fx.media_signals) {
      auto it = outlets.find(m.conn);
      if (it == outlets.end()) continue;
      if (!media) {
        it->second->deliver(std::make_shared<const std::string>(errorFrame(
            "media_unavailable",
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
  void maybeRelease(const std::shared_ptr<RoomActor>& self) {
    if (released) return;
    if (!outlets.empty() || !core.idle() || pending.load() > 0) {
      idle_since_ms.reset();
      return;
    }
    const std::int64_t now = nowMs();
    if (!idle_since_ms) idle_since_ms = now;
    if (now - *idle_since_ms < hub->options.release_after.count()) return;  // the tick comes back
    if (!hub->owner.release(room_id, self.get())) return;
    released = true;
    timer.cancel();
    wake.cancel();
  }

  std::shared_ptr<RoomHub::Shared> hub;
  std::int64_t room_id;
  std::string slug;
  asio::strand<asio::io_context::executor_type> strand;
  asio::steady_timer timer;
  asio::steady_timer wake;
  std::optional<std::int64_t> wake_at_ms;
  RoomCore core;
  std::map<ConnId, std::shared_ptr<Outlet>> outlets;
  // acquire() calls not yet followed by connect() or abandon(); raised under the hub's lock.
  std::atomic<int> pending{0};
  std::optional<std::int64_t> idle_since_ms;
  bool released = false;  // on the strand
};

RoomActor::RoomActor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RoomActor::~RoomActor() = default;

void RoomActor::connect(Connect c, std::shared_ptr<Outlet> outlet) {
  asio::post(impl_->strand, [self = shared_from_this(), c = std::move(c),
                             outlet = std::move(outlet)]() mutable {
    --self->impl_->pending;
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
    self->impl_->outlets.erase(conn);
    self->impl_->apply(self->impl_->core.disconnect(conn), self);
  });
}

void RoomActor::receive(ConnId conn, std::string text) {
  asio::post(impl_->strand, [self = shared_from_this(), conn, text = std::move(text)] {
    self->impl_->apply(self->impl_->core.receive(conn, text), self);
  });
}

void RoomActor::reject(ConnId conn, FrameError error) {
  asio::post(impl_->strand, [self = shared_from_this(), conn, error = std::move(error)] {
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
    for (auto& [conn, outlet] : self->impl_->outlets) outlet->close(code, reason);
  });
}

RoomHub::RoomHub(asio::io_context& io, asio::thread_pool& workers, storage::Store& store,
                 rooms::PresenceRegistry& presence, const common::Clock& clock, HubOptions options,
                 std::function<void(const std::string&)> on_room_empty)
    : shared_(std::make_shared<Shared>(*this, io, workers, store, presence, clock, options,
                                       std::move(on_room_empty))) {}

RoomHub::~RoomHub() = default;

Result<RoomSetup> RoomHub::load(std::int64_t room_id, const std::string& slug) {
  storage::Store& store = shared_->store;
  auto last = store.messages().lastSeq(room_id);
  if (!last) return last.error();
  auto floor = store.messages().seqFloor(room_id);
  if (!floor) return floor.error();
  // This run numbers events above anything an earlier run may have used, and reserves a block.
  const std::int64_t first_free = std::max(*last, *floor) + 1;
  const std::int64_t reserved = first_free + shared_->options.core.seq_block;
  if (auto r = store.messages().raiseSeqFloor(room_id, reserved); !r) return r.error();
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
    setup.playback = {p->playing, p->position_s, p->rate, p->at_server_ms, p->volume, p->muted,
                      p->action, realtime::memberIdFor(p->by_principal), p->by_name};
  } else if (p.error().kind != ErrorKind::kNotFound) {
    return p.error();
  }
  return setup;
}

Result<std::shared_ptr<RoomActor>> RoomHub::acquire(std::int64_t room_id, const std::string& slug) {
  {
    common::MutexLock lock(mu_);
    if (auto it = actors_.find(room_id); it != actors_.end()) {
      ++it->second->impl_->pending;
      return it->second;
    }
  }
  // Loading blocks on the store: not under the lock, so other rooms are not held up. Two visitors
  // of a room with no actor may both load it; the first to insert wins (the other's load only
  // reserved a block of seq numbers that nobody uses).
  auto setup = load(room_id, slug);
  if (!setup) return setup.error();
  auto actor = std::make_shared<RoomActor>(
      std::make_unique<RoomActor::Impl>(shared_, slug, std::move(setup).value()));
  common::MutexLock lock(mu_);
  auto [it, inserted] = actors_.emplace(room_id, actor);
  ++it->second->impl_->pending;
  if (inserted) {
    asio::post(actor->impl_->strand, [actor] { actor->impl_->scheduleTick(actor); });
  }
  return it->second;
}

bool RoomHub::release(std::int64_t room_id, const RoomActor* actor) {
  common::MutexLock lock(mu_);
  auto it = actors_.find(room_id);
  if (it == actors_.end() || it->second.get() != actor) return true;  // already gone
  if (actor->impl_->pending.load() > 0) return false;  // someone is about to connect
  actors_.erase(it);
  return true;
}

void RoomHub::endRoom(std::int64_t room_id, RoomEnd how) {
  common::MutexLock lock(mu_);
  if (auto it = actors_.find(room_id); it != actors_.end()) it->second->end(std::move(how));
}

void RoomHub::closeAll() {
  common::MutexLock lock(mu_);
  for (auto& [id, actor] : actors_) actor->closeAll(1001, "server shutting down");
}

std::size_t RoomHub::actorCount() const {
  common::MutexLock lock(mu_);
  return actors_.size();
}

}  // namespace kino::realtime
