// The relay's requests to Janus for one participant: VideoRoom set-up, joining, publishing,
// answering offers, layers and candidates (see janus_relay.hpp).
#include "janus_relay_impl.hpp"

// GCC 12 reports a false -Wmismatched-new-delete on Asio's awaitable frames here (the frame is
// allocated and freed by Asio's own operator new/delete pair).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include "kino/common/log.hpp"

namespace kino::media {

using namespace relay_detail;
using Peer = JanusRelay::Impl::Peer;
using Room = JanusRelay::Impl::Room;
using Sub = JanusRelay::Impl::Sub;

// The session and handle that create and destroy VideoRooms; false when Janus is unreachable.
awaitable<bool> JanusRelay::Impl::ensureControl() {
  const std::uint64_t my_epoch = epoch;
  while (control_creating) {
    auto gate = control_creating;
    co_await gate->async_wait(kTuple);
    if (epoch != my_epoch) co_return false;
  }
  if (control_handle != 0) co_return true;
  control_creating = std::make_shared<asio::steady_timer>(strand, asio::steady_timer::time_point::max());
  auto gate = control_creating;
  bool ok = false;
  json::object create{{"janus", "create"}};
  auto session = co_await call(std::move(create));
  if (session && epoch == my_epoch) {
    json::object attach{{"janus", "attach"},
                        {"session_id", session->data_id},
                        {"plugin", "janus.plugin.videoroom"},
                        {"opaque_id", "kino-control"}};
    auto handle = co_await call(std::move(attach));
    if (handle && epoch == my_epoch) {
      control_session = session->data_id;
      control_handle = handle->data_id;
      ok = true;
    } else {
      destroySession(session->data_id);
    }
  }
  if (control_creating == gate) control_creating.reset();
  gate->cancel();
  co_return ok;
}

// The room's VideoRoom, created on first use. Null when it could not be created.
awaitable<Room*> JanusRelay::Impl::ensureRoom(std::int64_t room_id, std::string slug) {
  const std::uint64_t my_epoch = epoch;
  for (;;) {
    auto it = rooms.find(room_id);
    if (it == rooms.end()) co_return nullptr;  // everyone left meanwhile
    if (it->second.created) co_return &it->second;
    if (!it->second.creating) break;
    auto gate = it->second.creating;
    co_await gate->async_wait(kTuple);
    if (epoch != my_epoch) co_return nullptr;
  }
  auto gate = std::make_shared<asio::steady_timer>(strand, asio::steady_timer::time_point::max());
  rooms.at(room_id).creating = gate;
  Room* result = nullptr;
  if (co_await ensureControl() && epoch == my_epoch && rooms.contains(room_id)) {
    Room& fresh = rooms.at(room_id);
    fresh.janus_id = randomId(random);
    fresh.pin = common::randomToken(random, 18);
    fresh.secret = common::randomToken(random, 18);
    json::object body{{"request", "create"},
                      {"room", fresh.janus_id},
                      {"description", "kino " + slug},
                      {"is_private", true},
                      {"permanent", false},
                      {"secret", fresh.secret},
                      {"pin", fresh.pin},
                      {"publishers", settings.publishers},
                      {"bitrate", settings.bitrate},
                      {"fir_freq", 10},
                      {"audiocodec", "opus"},
                      {"videocodec", "vp8"},
                      {"opus_fec", true},
                      {"audiolevel_ext", true},
                      {"audiolevel_event", true},
                      {"audio_active_packets", 50},
                      {"audio_level_average", 40},
                      {"transport_wide_cc_ext", true},
                      {"require_pvtid", true}};
    if (!settings.videoroom_admin_key.empty()) body["admin_key"] = settings.videoroom_admin_key;
    json::object request = message(control_session, control_handle, std::move(body));
    auto r = co_await call(std::move(request));
    if (auto why = failureOf(r)) {
      log::warn("videoroom_create_failed", {{"room", slug}, {"message", *why}});
    } else if (epoch == my_epoch && rooms.contains(room_id)) {
      Room& room = rooms.at(room_id);
      room.created = true;
      result = &room;
      log::info("videoroom_created", {{"room", slug}});
      if (room.peers.empty()) {  // everyone left while it was being created
        destroyRoom(room_id);
        result = nullptr;
      }
    }
  }
  if (auto it = rooms.find(room_id); it != rooms.end() && it->second.creating == gate) {
    it->second.creating.reset();
  }
  gate->cancel();
  co_return result;
}

void JanusRelay::Impl::destroyRoom(std::int64_t room_id) {
  auto it = rooms.find(room_id);
  if (it == rooms.end()) return;
  if (it->second.created && control_handle != 0 && !stopped) {  // stopped: as dropPeer's session
    janus.call(message(control_session, control_handle,
                       {{"request", "destroy"}, {"room", it->second.janus_id},
                        {"secret", it->second.secret}}),
               [](const Result<JanusMessage>&) {});
  }
  rooms.erase(it);
}

awaitable<void> JanusRelay::Impl::join(ConnId conn, std::uint64_t generation) {
  Peer* p = alive(conn, generation);
  if (!p) co_return;
  if (p->ready) {
    send(*p, {{"type", "media.ready"}});
    co_return;
  }
  const std::int64_t room_id = p->who.room_id;
  Room* room = co_await ensureRoom(room_id, p->who.room_slug);
  p = alive(conn, generation);
  if (!p) co_return;
  if (!room) co_return giveUp(conn, "media_unavailable",
                              "Video chat is unavailable right now (the media server did not "
                              "set up the call). Chat and the film keep working.");
  json::object create{{"janus", "create"}};
  auto session = co_await call(std::move(create));
  p = alive(conn, generation);
  if (!p) {
    if (session) destroySession(session->data_id);
    co_return;
  }
  if (!session) co_return giveUp(conn, "media_unavailable", session.error().message);
  p->session = session->data_id;
  std::array<std::uint64_t, 2> ids{};
  for (int i = 0; i < 2; ++i) {
    json::object attach{{"janus", "attach"},
                        {"session_id", session->data_id},
                        {"plugin", "janus.plugin.videoroom"},
                        {"opaque_id", "kino-" + p->who.participant_id}};
    auto handle = co_await call(std::move(attach));
    p = alive(conn, generation);
    if (!p) co_return;
    if (!handle) co_return giveUp(conn, "media_unavailable", handle.error().message);
    ids[i] = handle->data_id;
    handles[handle->data_id] = {conn, i == 0};
  }
  p->pub = ids[0];
  p->sub = ids[1];
  room = findRoom(room_id);
  if (!room) co_return giveUp(conn, "media_unavailable", "The call ended.");
  json::object body{{"request", "join"},
                    {"ptype", "publisher"},
                    {"room", room->janus_id},
                    {"pin", room->pin},
                    {"id", p->feed},
                    {"display", p->who.participant_id}};
  json::object request = message(p->session, p->pub, std::move(body));
  auto joined = co_await call(std::move(request));
  p = alive(conn, generation);
  if (!p) co_return;
  if (auto why = failureOf(joined)) co_return giveUp(conn, "media_failed", "Joining the call failed: " + *why);
  p->private_id = u64(*joined->plugin_data, "private_id");
  p->ready = true;
  send(*p, {{"type", "media.ready"}});
  log::info("media_joined", {{"room", p->who.room_slug}, {"participant", p->who.participant_id}});
  // Publishers already in the room (normally known from our own bookkeeping).
  if (const auto* list = joined->plugin_data->if_contains("publishers"); list && list->is_array()) {
    for (const auto& v : list->as_array()) {
      if (v.is_object()) addFeed(room_id, u64(v.as_object(), "id"), str(v.as_object(), "display"));
    }
  }
  spawn(syncSubscriptions(conn, generation));
}

awaitable<void> JanusRelay::Impl::publish(ConnId conn, std::uint64_t generation, std::string sdp) {
  Peer* p = alive(conn, generation);
  if (!p) co_return;
  if (!p->ready) {
    fail(*p, "media_not_joined", "Join the video call first (media.join).");
    co_return;
  }
  json::object body{{"request", p->publishing ? "configure" : "publish"}};
  if (!p->publishing) {
    body["audiocodec"] = "opus";
    body["videocodec"] = "vp8";
    body["display"] = p->who.participant_id;
  }
  auto request = message(p->session, p->pub, std::move(body));
  request["jsep"] = json::object{{"type", "offer"}, {"sdp", std::move(sdp)}};
  auto r = co_await call(std::move(request));
  p = alive(conn, generation);
  if (!p) co_return;
  if (auto why = failureOf(r)) {
    fail(*p, "media_failed", "The media server refused your camera/microphone offer: " + *why);
    co_return;
  }
  if (!r->jsep || str(*r->jsep, "sdp").empty()) {
    fail(*p, "media_failed", "The media server sent no answer to your offer.");
    co_return;
  }
  send(*p, {{"type", "media.answer"},
            {"jsep", {{"type", "answer"}, {"sdp", str(*r->jsep, "sdp")}}}});
  // Others can subscribe once the PeerConnection is up: Janus then announces the feed to the
  // room ("publishers" event) and we see webrtcup on the handle (see onJanusEvent).
  p->publishing = true;
}

awaitable<void> JanusRelay::Impl::unpublish(ConnId conn, std::uint64_t generation) {
  Peer* p = alive(conn, generation);
  if (!p || !p->publishing) co_return;
  p->publishing = false;
  removeFeed(p->who.room_id, p->feed);
  json::object request = message(p->session, p->pub, json::object{{"request", "unpublish"}});
  (void)co_await call(std::move(request));
}

awaitable<void> JanusRelay::Impl::answer(ConnId conn, std::uint64_t generation, std::string sdp) {
  Peer* p = alive(conn, generation);
  if (!p) co_return;
  if (p->sub_state != Sub::kJoined) {
    fail(*p, "media_not_joined", "There is no offer to answer.");
    co_return;
  }
  auto request = message(p->session, p->sub, {{"request", "start"}});
  request["jsep"] = json::object{{"type", "answer"}, {"sdp", std::move(sdp)}};
  auto r = co_await call(std::move(request));
  p = alive(conn, generation);
  if (!p) co_return;
  if (auto why = failureOf(r)) {
    fail(*p, "media_failed", "The media server refused your answer: " + *why);
  }
}

// Picks the simulcast layer Janus forwards of one participant's video (small tiles take the low
// one). Remembered, and applied again to that participant's streams in later offers.
awaitable<void> JanusRelay::Impl::quality(ConnId conn, std::uint64_t generation, std::string participant, int substream) {
  Peer* p = alive(conn, generation);
  if (!p) co_return;
  p->wanted_substream[participant] = substream;
  co_await applyQuality(conn, generation, participant);
}

awaitable<void> JanusRelay::Impl::applyQuality(ConnId conn, std::uint64_t generation, std::string participant) {
  Peer* p = alive(conn, generation);
  if (!p || p->sub_state != Sub::kJoined) co_return;
  auto want = p->wanted_substream.find(participant);
  if (want == p->wanted_substream.end()) co_return;
  json::array streams;
  for (const auto& [mid, who] : p->video_mids) {
    if (who == participant) streams.push_back(json::object{{"mid", mid}, {"substream", want->second}});
  }
  if (streams.empty()) co_return;
  json::object body{{"request", "configure"}, {"streams", std::move(streams)}};
  json::object request = message(p->session, p->sub, std::move(body));
  auto r = co_await call(std::move(request));
  if (auto why = failureOf(r)) log::info("media_quality_failed", {{"message", *why}});
}

void JanusRelay::Impl::trickle(const Peer& p, const realtime::MediaSignal& frame) {
  const std::uint64_t handle = frame.target == "publisher" ? p.pub : p.sub;
  if (p.session == 0 || handle == 0) return;  // nothing negotiated yet on that side
  json::object request{{"janus", "trickle"}, {"session_id", p.session}, {"handle_id", handle}};
  request["candidate"] = frame.candidate ? *frame.candidate : json::object{{"completed", true}};
  janus.call(std::move(request), [](const Result<JanusMessage>& r) {
    if (!r) log::debug("janus_trickle_failed", {{"message", r.error().message}});
  });
}

}  // namespace kino::media
