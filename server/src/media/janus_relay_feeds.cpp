// Which feeds each participant receives: subscriptions kept in sync with the room's publishers,
// Janus's offers passed on with their owners, speaking indicators (see janus_relay.hpp).
#include "janus_relay_impl.hpp"

#include "kino/common/log.hpp"

namespace kino::media {

using namespace relay_detail;
using Peer = JanusRelay::Impl::Peer;
using Room = JanusRelay::Impl::Room;
using Sub = JanusRelay::Impl::Sub;

// Subscribes the participant's subscriber handle to every publishing feed of the room it does not
// have yet; forwards Janus's offer. Janus itself drops feeds that go away (autoupdate).
awaitable<void> JanusRelay::Impl::syncSubscriptions(ConnId conn, std::uint64_t generation) {
  Peer* p = alive(conn, generation);
  if (!p || !p->ready || p->sub_state == Sub::kJoining) co_return;
  Room* room = findRoom(p->who.room_id);
  if (!room) co_return;
  json::array streams;
  std::vector<std::uint64_t> added;
  for (const auto& [feed, participant] : room->feeds) {
    if (feed == p->feed || p->subscribed.contains(feed)) continue;
    streams.push_back(json::object{{"feed", feed}});
    added.push_back(feed);
  }
  if (added.empty()) co_return;
  p->subscribed.insert(added.begin(), added.end());
  const bool first = p->sub_state == Sub::kNone;
  json::object body;
  if (first) {
    p->sub_state = Sub::kJoining;
    body = {{"request", "join"}, {"ptype", "subscriber"}, {"room", room->janus_id},
            {"pin", room->pin}, {"private_id", p->private_id}, {"streams", std::move(streams)}};
  } else {
    body = {{"request", "subscribe"}, {"streams", std::move(streams)}};
  }
  json::object request = message(p->session, p->sub, std::move(body));
  auto r = co_await call(std::move(request));
  p = alive(conn, generation);
  if (!p) co_return;
  if (auto why = failureOf(r)) {
    log::info("media_subscribe_failed", {{"participant", p->who.participant_id}, {"message", *why}});
    for (auto f : added) p->subscribed.erase(f);
    if (first) p->sub_state = Sub::kNone;
    if (r && why->starts_with("428")) {
      // A feed that is gone (or not up yet): forget it; Janus announces it again when it is up.
      if (Room* now = findRoom(p->who.room_id)) {
        for (auto f : added) now->feeds.erase(f);
      }
      spawn(syncSubscriptions(conn, generation));
    } else if (++p->failed_syncs <= kMaxResyncs) {
      spawn(resyncLater(conn, generation));
    }
    co_return;
  }
  p->failed_syncs = 0;
  if (first) p->sub_state = Sub::kJoined;
  if (r->jsep && r->plugin_data) forwardOffer(*p, *r->plugin_data, *r->jsep);
  // (Otherwise Janus said "updating": one cumulative offer follows as an event.)
  if (first) spawn(syncSubscriptions(conn, generation));  // feeds that came while joining
}

awaitable<void> JanusRelay::Impl::resyncLater(ConnId conn, std::uint64_t generation) {
  asio::steady_timer wait(strand);
  wait.expires_after(kResyncAfter);
  co_await wait.async_wait(kTuple);
  co_await syncSubscriptions(conn, generation);
}

void JanusRelay::Impl::forwardOffer(Peer& p, const json::object& data, const json::object& jsep) {
  const std::string sdp = str(jsep, "sdp");
  if (str(jsep, "type") != "offer" || sdp.empty()) return;
  const Room* room = findRoom(p.who.room_id);
  json::array streams;
  p.video_mids.clear();
  if (const auto* list = data.if_contains("streams"); list && list->is_array()) {
    for (const auto& v : list->as_array()) {
      if (!v.is_object()) continue;
      const auto& s = v.as_object();
      const std::string kind = str(s, "type");
      if (kind != "audio" && kind != "video") continue;
      if (const auto* active = s.if_contains("active"); active && active->is_bool() && !active->as_bool()) continue;
      std::string participant = str(s, "feed_display");
      if (participant.empty() && room) {
        if (auto f = room->feeds.find(u64(s, "feed_id")); f != room->feeds.end()) participant = f->second;
      }
      if (participant.empty()) continue;
      if (kind == "video") p.video_mids[str(s, "mid")] = participant;
      streams.push_back(json::object{{"mid", str(s, "mid")}, {"kind", kind}, {"participant_id", participant}});
    }
  }
  send(p, {{"type", "media.offer"},
           {"jsep", {{"type", "offer"}, {"sdp", sdp}}},
           {"streams", std::move(streams)}});
  // Layers asked for earlier apply to the participants' (maybe new) mids.
  for (const auto& [participant, substream] : p.wanted_substream) {
    spawn(applyQuality(p.who.conn, p.generation, participant));
  }
}

Room* JanusRelay::Impl::findRoom(std::int64_t room_id) {
  auto it = rooms.find(room_id);
  return it == rooms.end() || !it->second.created ? nullptr : &it->second;
}

void JanusRelay::Impl::addFeed(std::int64_t room_id, std::uint64_t feed, const std::string& participant) {
  Room* room = findRoom(room_id);
  if (!room || feed == 0 || participant.empty()) return;
  if (!room->feeds.emplace(feed, participant).second) return;
  for (ConnId conn : room->peers) {
    if (auto it = peers.find(conn); it != peers.end() && it->second.ready) {
      spawn(syncSubscriptions(conn, it->second.generation));
    }
  }
}

void JanusRelay::Impl::removeFeed(std::int64_t room_id, std::uint64_t feed) {
  Room* room = findRoom(room_id);
  if (!room || room->feeds.erase(feed) == 0) return;
  if (room->talking.erase(feed)) broadcastTalking(*room, feed, false);
  for (ConnId conn : room->peers) {
    if (auto it = peers.find(conn); it != peers.end()) it->second.subscribed.erase(feed);
  }
}

void JanusRelay::Impl::broadcastTalking(const Room& room, std::uint64_t feed, bool talking) {
  std::string participant;
  for (ConnId conn : room.peers) {
    auto it = peers.find(conn);
    if (it != peers.end() && it->second.feed == feed) participant = it->second.who.participant_id;
  }
  if (participant.empty() || stopped) return;
  const auto frame = frameOf({{"type", "media.talking"}, {"participant_id", participant}, {"talking", talking}});
  for (ConnId conn : room.peers) {
    if (auto it = peers.find(conn); it != peers.end()) it->second.who.outlet->deliver(frame);
  }
}

}  // namespace kino::media
