// The Asio side of room actors: strands and the worker pool. No Beast here.
#include "kino/realtime/room_hub.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include "kino/common/log.hpp"
#include "kino/realtime/protocol.hpp"

namespace kino::realtime {

namespace asio = boost::asio;

struct RoomHub::Shared {
  Shared(asio::io_context& i, asio::thread_pool& w, storage::Store& st,
         rooms::PresenceRegistry& p, const common::Clock& c, HubOptions o,
         std::function<void(const std::string&)> empty)
      : io(i), workers(w), store(st), presence(p), clock(c), options(o),
        on_room_empty(std::move(empty)),
        chat_limiter(c, o.chat_max_per_10s, std::chrono::seconds(10)) {}

  asio::io_context& io;
  asio::thread_pool& workers;
  storage::Store& store;
  rooms::PresenceRegistry& presence;
  const common::Clock& clock;
  HubOptions options;
  std::function<void(const std::string&)> on_room_empty;
  common::RateLimiter chat_limiter;
};

struct RoomActor::Impl {
  Impl(std::shared_ptr<RoomHub::Shared> h, std::string s, RoomSetup setup)
      : hub(std::move(h)), room_id(setup.room_id), slug(std::move(s)),
        strand(asio::make_strand(hub->io)), timer(strand),
        core(std::move(setup), hub->clock, hub->chat_limiter, hub->options.core) {}

  // Drives RoomCore::tick about once a second, on the strand.
  void scheduleTick(std::shared_ptr<RoomActor> self) {
    timer.expires_after(std::chrono::seconds(1));
    timer.async_wait([self](boost::system::error_code ec) {
      if (ec) return;
      self->impl_->apply(self->impl_->core.tick(), self);
      self->impl_->scheduleTick(self);
    });
  }

  // Carries out what the core decided. Runs on `strand`.
  void apply(Effects fx, const std::shared_ptr<RoomActor>& self) {
    for (auto& [conn, frame] : fx.sends) {
      if (auto it = outlets.find(conn); it != outlets.end()) it->second->deliver(std::move(frame));
    }
    for (auto& [conn, reason] : fx.closes) {
      if (auto it = outlets.find(conn); it != outlets.end()) it->second->close(1008, reason);
    }
    applyMedia(fx);
    for (int i = 0; i < fx.members_entered; ++i) hub->presence.entered(slug);
    for (int i = 0; i < fx.members_left; ++i) hub->presence.left(slug);
    if (fx.now_empty && hub->on_room_empty) {
      asio::post(hub->workers, [h = hub, s = slug] { h->on_room_empty(s); });
    }
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

  std::shared_ptr<RoomHub::Shared> hub;
  std::int64_t room_id;
  std::string slug;
  asio::strand<asio::io_context::executor_type> strand;
  asio::steady_timer timer;
  RoomCore core;
  std::map<ConnId, std::shared_ptr<Outlet>> outlets;
};

RoomActor::RoomActor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RoomActor::~RoomActor() = default;

void RoomActor::connect(Connect c, std::shared_ptr<Outlet> outlet) {
  asio::post(impl_->strand, [self = shared_from_this(), c = std::move(c),
                             outlet = std::move(outlet)]() mutable {
    self->impl_->outlets[c.conn] = std::move(outlet);
    self->impl_->apply(self->impl_->core.connect(std::move(c)), self);
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

void RoomActor::closeAll(int code, std::string reason) {
  asio::post(impl_->strand, [self = shared_from_this(), code, reason = std::move(reason)] {
    for (auto& [conn, outlet] : self->impl_->outlets) outlet->close(code, reason);
  });
}

RoomHub::RoomHub(asio::io_context& io, asio::thread_pool& workers, storage::Store& store,
                 rooms::PresenceRegistry& presence, const common::Clock& clock, HubOptions options,
                 std::function<void(const std::string&)> on_room_empty)
    : shared_(std::make_shared<Shared>(io, workers, store, presence, clock, options,
                                       std::move(on_room_empty))) {}

RoomHub::~RoomHub() = default;

Result<std::shared_ptr<RoomActor>> RoomHub::acquire(std::int64_t room_id, const std::string& slug) {
  std::lock_guard lock(mu_);
  if (auto it = actors_.find(room_id); it != actors_.end()) return it->second;
  auto last = shared_->store.messages().lastSeq(room_id);
  if (!last) return last.error();
  auto floor = shared_->store.messages().seqFloor(room_id);
  if (!floor) return floor.error();
  // This run numbers events above anything an earlier run may have used, and reserves a block.
  const std::int64_t first_free = std::max(*last, *floor) + 1;
  const std::int64_t reserved = first_free + shared_->options.core.seq_block;
  if (auto r = shared_->store.messages().raiseSeqFloor(room_id, reserved); !r) return r.error();
  auto recent = shared_->store.messages().page(
      room_id, std::nullopt, static_cast<int>(shared_->options.core.snapshot_messages));
  if (!recent) return recent.error();
  auto room = shared_->store.rooms().findBySlug(slug);
  if (!room) return room.error();
  RoomSetup setup;
  setup.room_id = room_id;
  setup.last_seq = *last;
  setup.first_free_seq = first_free;
  setup.reserved_until = reserved;
  setup.recent = std::move(recent).value();
  setup.control_policy = room->control_policy;
  setup.buffering_policy = room->buffering_policy;
  if (auto p = shared_->store.playback().last(room_id)) {
    setup.playback = {p->playing, p->position_s, p->rate, p->at_server_ms, p->volume, p->muted,
                      p->action, realtime::memberIdFor(p->by_principal), p->by_name};
  } else if (p.error().kind != ErrorKind::kNotFound) {
    return p.error();
  }
  auto actor = std::make_shared<RoomActor>(
      std::make_unique<RoomActor::Impl>(shared_, slug, std::move(setup)));
  actors_.emplace(room_id, actor);
  asio::post(actor->impl_->strand, [actor] { actor->impl_->scheduleTick(actor); });
  return actor;
}

void RoomHub::closeAll() {
  std::lock_guard lock(mu_);
  for (auto& [id, actor] : actors_) actor->closeAll(1001, "server shutting down");
}

}  // namespace kino::realtime
