// The video-call relay between room connections and Janus's VideoRoom (see janus_relay.hpp): the
// public face, frames routed per participant, leaving, and Janus's events.
#include "janus_relay_impl.hpp"

#include "kino/common/log.hpp"

namespace kino::media {

using namespace relay_detail;
using Peer = JanusRelay::Impl::Peer;
using Room = JanusRelay::Impl::Room;
using Sub = JanusRelay::Impl::Sub;

void JanusRelay::Impl::onSignal(realtime::MediaPeer who, realtime::MediaSignal frame) {
  if (stopped) return;
  auto it = peers.find(who.conn);
  if (it == peers.end()) {
    if (frame.type == "media.leave") return;
    if (frame.type != "media.join") {
      who.outlet->deliver(errorOf("media_not_joined", "Join the video call first (media.join)."));
      return;
    }
    if (!janus.healthy()) {
      who.outlet->deliver(errorOf("media_unavailable",
                                  "Video chat is unavailable right now. Chat and the film keep "
                                  "working; try again in a few seconds."));
      return;
    }
    Peer p;
    p.who = std::move(who);
    p.generation = next_generation++;
    p.feed = randomId(random);
    it = peers.emplace(p.who.conn, std::move(p)).first;
    Room& room = rooms[it->second.who.room_id];
    room.peers.insert(it->first);
  }
  if (frame.type == "media.leave") {
    dropPeer(it->first);
    return;
  }
  if (frame.type == "media.trickle") {  // no need to wait for anything before it
    trickle(it->second, frame);
    return;
  }
  it->second.inbox.push_back(std::move(frame));
  if (!it->second.draining) {
    it->second.draining = true;
    spawn(drain(it->first, it->second.generation));
  }
}

awaitable<void> JanusRelay::Impl::drain(ConnId conn, std::uint64_t generation) {
  for (;;) {
    Peer* p = alive(conn, generation);
    if (!p) co_return;
    if (p->inbox.empty()) {
      p->draining = false;
      co_return;
    }
    realtime::MediaSignal frame = std::move(p->inbox.front());
    p->inbox.pop_front();
    if (frame.type == "media.join") {
      co_await join(conn, generation);
    } else if (frame.type == "media.publish") {
      co_await publish(conn, generation, std::move(frame.sdp));
    } else if (frame.type == "media.answer") {
      co_await answer(conn, generation, std::move(frame.sdp));
    } else if (frame.type == "media.unpublish") {
      co_await unpublish(conn, generation);
    } else if (frame.type == "media.quality") {
      co_await quality(conn, generation, frame.participant_id, frame.substream);
    }
  }
}

// Reports the failure of a join step and forgets the participant (its session is destroyed).
void JanusRelay::Impl::giveUp(ConnId conn, std::string_view code, const std::string& message) {
  auto it = peers.find(conn);
  if (it == peers.end()) return;
  log::warn("media_join_failed", {{"participant", it->second.who.participant_id}, {"message", message}});
  fail(it->second, code, message);
  dropPeer(conn);
}

void JanusRelay::Impl::dropPeer(ConnId conn) {
  auto it = peers.find(conn);
  if (it == peers.end()) return;
  Peer p = std::move(it->second);
  peers.erase(it);
  handles.erase(p.pub);
  handles.erase(p.sub);
  // Janus tells the others ("leaving"/"unpublished") and updates them. A stopped relay (the node
  // shuts down) leaves the session to Janus: it keeps it for a while after Kino's connection is gone,
  // so the browser's media flows on while it joins again through another node.
  if (!stopped) destroySession(p.session);
  auto r = rooms.find(p.who.room_id);
  if (r == rooms.end()) return;
  if (p.publishing) removeFeed(p.who.room_id, p.feed);
  r->second.peers.erase(conn);
  if (r->second.peers.empty() && !r->second.creating) destroyRoom(p.who.room_id);
  log::info("media_left", {{"room", p.who.room_slug}, {"participant", p.who.participant_id}});
}

void JanusRelay::Impl::onJanusEvent(const JanusMessage& m) {
  if (m.kind == JanusKind::kTimeout) {
    for (auto& [conn, p] : peers) {
      if (p.session == m.session_id) {
        send(p, {{"type", "media.closed"}, {"reason", "session_timeout"}});
        dropPeer(conn);
        return;
      }
    }
    if (m.session_id == control_session) control_session = control_handle = 0;
    return;
  }
  auto h = handles.find(m.sender);
  if (h == handles.end()) return;
  auto it = peers.find(h->second.conn);
  if (it == peers.end()) return;
  Peer& p = it->second;
  const bool publisher = h->second.publisher;
  switch (m.kind) {
    case JanusKind::kTrickle:
      if (m.candidate) {
        const auto* done = m.candidate->if_contains("completed");
        json::value candidate = nullptr;
        if (!(done && done->is_bool() && done->as_bool())) {
          json::object c{{"candidate", str(*m.candidate, "candidate")}};
          if (const auto* mid = m.candidate->if_contains("sdpMid"); mid && mid->is_string()) {
            c["sdpMid"] = mid->as_string();
          }
          if (const auto* i = m.candidate->if_contains("sdpMLineIndex"); i && i->is_number()) {
            c["sdpMLineIndex"] = i->to_number<double>();
          }
          candidate = std::move(c);
        }
        send(p, {{"type", "media.trickle"}, {"target", publisher ? "publisher" : "subscriber"},
                 {"candidate", std::move(candidate)}});
      }
      break;
    case JanusKind::kEvent:
      if (m.plugin_data) {
        if (publisher) {
          onPublisherEvent(p, *m.plugin_data);
        } else if (m.jsep && str(*m.plugin_data, "videoroom") == "updated") {
          forwardOffer(p, *m.plugin_data, *m.jsep);
        }
      }
      break;
    case JanusKind::kWebrtcUp:
      if (publisher && p.publishing) addFeed(p.who.room_id, p.feed, p.who.participant_id);
      break;
    case JanusKind::kHangup:
      if (publisher) p.publishing = false;  // Janus unpublished the feed; a new offer publishes again
      log::info("media_hangup", {{"participant", p.who.participant_id},
                                 {"handle", publisher ? "publisher" : "subscriber"},
                                 {"reason", m.reason}});
      break;
    default:
      break;
  }
}

void JanusRelay::Impl::onPublisherEvent(const Peer& p, const json::object& data) {
  const std::string kind = str(data, "videoroom");
  Room* room = findRoom(p.who.room_id);
  if (!room) return;
  if (kind == "talking" || kind == "stopped-talking") {
    const std::uint64_t feed = u64(data, "id");
    const bool talking = kind == "talking";
    if (talking ? room->talking.insert(feed).second : room->talking.erase(feed) > 0) {
      broadcastTalking(*room, feed, talking);
    }
    return;
  }
  if (kind != "event") return;
  if (const auto* list = data.if_contains("publishers"); list && list->is_array()) {
    const std::int64_t room_id = p.who.room_id;
    for (const auto& v : list->as_array()) {
      if (v.is_object()) addFeed(room_id, u64(v.as_object(), "id"), str(v.as_object(), "display"));
    }
    return;
  }
  // "unpublished"/"leaving" carry the feed id (or "ok" when they answer our own request).
  for (const char* key : {"unpublished", "leaving"}) {
    if (const std::uint64_t feed = u64(data, key)) removeFeed(p.who.room_id, feed);
  }
}

void JanusRelay::Impl::onConnection(bool up) {
  // A stopped relay closed the connection itself (the node shuts down): the calls are not lost but
  // left to Janus for the browsers' handover, and their sockets close with 1012 right after.
  if (up || stopped) return;
  ++epoch;
  control_session = control_handle = 0;
  control_creating.reset();
  const auto closed = frameOf({{"type", "media.closed"}, {"reason", "media_server_lost"}});
  for (auto& [conn, p] : peers) p.who.outlet->deliver(closed);
  if (!peers.empty()) log::warn("media_calls_lost", {{"participants", peers.size()}});
  peers.clear();
  handles.clear();
  for (auto& [id, room] : rooms) {
    if (room.creating) room.creating->cancel();
  }
  rooms.clear();
}

void JanusRelay::Impl::scheduleKeepalive() {
  keepalive_timer.expires_after(settings.keepalive);
  keepalive_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->stopped) return;
    auto ping = [&](std::uint64_t session) {
      if (session != 0) {
        self->janus.call({{"janus", "keepalive"}, {"session_id", session}}, [](const Result<JanusMessage>&) {});
      }
    };
    ping(self->control_session);
    for (const auto& [conn, p] : self->peers) ping(p.session);
    self->scheduleKeepalive();
  });
}

JanusRelay::JanusRelay(asio::io_context& io, JanusClient& janus, common::Random& random,
                       RelaySettings settings)
    : impl_(std::make_shared<Impl>(io, janus, random, std::move(settings))) {}

JanusRelay::~JanusRelay() {
  try {
    stop();
  } catch (...) {  // only allocation can fail here; the strand's work ends with the io_context
  }
}

void JanusRelay::start() {
  std::weak_ptr<Impl> weak = impl_;
  impl_->janus.onEvent([weak](const JanusMessage& m) {
    if (auto impl = weak.lock()) {
      asio::post(impl->strand, [impl, m] { impl->onJanusEvent(m); });
    }
  });
  impl_->janus.onConnectionChange([weak](bool up) {
    if (auto impl = weak.lock()) asio::post(impl->strand, [impl, up] { impl->onConnection(up); });
  });
  asio::post(impl_->strand, [impl = impl_] { impl->scheduleKeepalive(); });
}

void JanusRelay::stop() {
  asio::post(impl_->strand, [impl = impl_] {
    impl->stopped = true;
    impl->keepalive_timer.cancel();
  });
}

void JanusRelay::signal(realtime::MediaPeer peer, realtime::MediaSignal frame) {
  asio::post(impl_->strand, [impl = impl_, peer = std::move(peer), frame = std::move(frame)]() mutable {
    impl->onSignal(std::move(peer), std::move(frame));
  });
}

void JanusRelay::leave(realtime::ConnId conn) {
  asio::post(impl_->strand, [impl = impl_, conn] { impl->dropPeer(conn); });
}

}  // namespace kino::media
