// The video-call relay between room connections and Janus's VideoRoom (see janus_relay.hpp).
#include "kino/media/janus_relay.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include <array>
#include <deque>
#include <map>
#include <set>

#include "kino/common/log.hpp"

namespace kino::media {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using asio::awaitable;
using realtime::ConnId;
using realtime::Frame;
using Strand = asio::strand<asio::io_context::executor_type>;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kResyncAfter = std::chrono::seconds(1);
constexpr int kMaxResyncs = 5;  // subscription attempts in a row that failed for other reasons

// JanusClient::call as an awaitable: resumes on the awaiting coroutine's executor (the strand).
template <class Token>
auto asyncCall(JanusClient& janus, json::object request, Token&& token) {
  return asio::async_initiate<Token, void(Result<JanusMessage>)>(
      [&janus](auto handler, json::object req) {
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        janus.call(std::move(req), [h](Result<JanusMessage> r) {
          auto ex = asio::get_associated_executor(*h);
          asio::post(ex, [h, r = std::move(r)]() mutable { std::move (*h)(std::move(r)); });
        });
      },
      token, std::move(request));
}

std::uint64_t randomId(common::Random& random) {
  std::array<std::uint8_t, 8> b{};
  random.fill(b);
  std::uint64_t v = 0;
  for (auto x : b) v = (v << 8) | x;
  return (v & ((std::uint64_t{1} << 52) - 1)) + 1;  // exact in a JSON double
}

std::string str(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::uint64_t u64(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v && v->is_uint64()) return v->as_uint64();
  if (v && v->is_int64() && v->as_int64() > 0) return static_cast<std::uint64_t>(v->as_int64());
  return 0;
}

Frame frameOf(const json::object& o) {
  return std::make_shared<const std::string>(json::serialize(o));
}

Frame errorOf(std::string_view code, std::string_view message) {
  return std::make_shared<const std::string>(realtime::errorFrame(code, message));
}

// The failure of a VideoRoom request, as a sentence: a transport error or the plugin's error.
std::optional<std::string> failureOf(const Result<JanusMessage>& r) {
  if (!r) return r.error().message;
  if (r->plugin_data) {
    if (auto e = videoroomError(*r->plugin_data)) return std::to_string(e->first) + " " + e->second;
  }
  return std::nullopt;
}

json::object message(std::uint64_t session, std::uint64_t handle, json::object body) {
  return {{"janus", "message"}, {"session_id", session}, {"handle_id", handle},
          {"body", std::move(body)}};
}

}  // namespace

struct JanusRelay::Impl : std::enable_shared_from_this<Impl> {
  enum class Sub { kNone, kJoining, kJoined };

  struct Peer {
    realtime::MediaPeer who;
    std::uint64_t generation = 0;
    std::uint64_t session = 0;
    std::uint64_t pub = 0;
    std::uint64_t sub = 0;
    std::uint64_t feed = 0;        // our publisher id in the VideoRoom (chosen by us)
    std::uint64_t private_id = 0;  // from "joined"; subscriptions present it
    bool ready = false;            // joined the VideoRoom (maybe without publishing)
    bool publishing = false;
    Sub sub_state = Sub::kNone;
    std::set<std::uint64_t> subscribed;
    std::map<std::string, std::string> video_mids;  // subscriber mid → participant (latest offer)
    std::map<std::string, int> wanted_substream;    // participant → simulcast layer asked for
    int failed_syncs = 0;
    std::deque<realtime::MediaSignal> inbox;  // frames waiting for the one before to finish
    bool draining = false;
  };

  struct Room {
    std::uint64_t janus_id = 0;
    std::string pin;
    std::string secret;
    bool created = false;
    std::shared_ptr<asio::steady_timer> creating;  // waiters wait until it is cancelled
    std::map<std::uint64_t, std::string> feeds;    // publishing feed → participant id
    std::set<std::uint64_t> talking;
    std::set<ConnId> peers;
  };

  struct HandleOwner {
    ConnId conn = 0;
    bool publisher = false;
  };

  Impl(asio::io_context& io, JanusClient& j, common::Random& r, RelaySettings s)
      : strand(asio::make_strand(io)), janus(j), random(r), settings(std::move(s)),
        keepalive_timer(strand) {}

  Strand strand;
  JanusClient& janus;
  common::Random& random;
  RelaySettings settings;
  asio::steady_timer keepalive_timer;
  bool stopped = false;
  std::uint64_t next_generation = 1;
  std::uint64_t epoch = 1;  // bumped when the Janus connection drops: everything before is gone
  std::map<ConnId, Peer> peers;
  std::map<std::int64_t, Room> rooms;  // by Kino room id
  std::map<std::uint64_t, HandleOwner> handles;
  std::uint64_t control_session = 0;  // creates and destroys VideoRooms
  std::uint64_t control_handle = 0;
  std::shared_ptr<asio::steady_timer> control_creating;

  // --- helpers -------------------------------------------------------------------------------

  awaitable<Result<JanusMessage>> call(json::object request) {
    co_return co_await asyncCall(janus, std::move(request), asio::use_awaitable);
  }

  Peer* alive(ConnId conn, std::uint64_t generation) {
    auto it = peers.find(conn);
    return it != peers.end() && it->second.generation == generation ? &it->second : nullptr;
  }

  void send(const Peer& p, const json::object& frame) { p.who.outlet->deliver(frameOf(frame)); }
  void fail(const Peer& p, std::string_view code, std::string_view message) {
    p.who.outlet->deliver(errorOf(code, message));
  }

  void spawn(awaitable<void> work) { asio::co_spawn(strand, std::move(work), asio::detached); }

  void destroySession(std::uint64_t session) {
    if (session == 0) return;
    janus.call({{"janus", "destroy"}, {"session_id", session}}, [](Result<JanusMessage>) {});
  }

  // --- Janus sessions for rooms ----------------------------------------------------------------

  // The session and handle that create and destroy VideoRooms; false when Janus is unreachable.
  awaitable<bool> ensureControl() {
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
  awaitable<Room*> ensureRoom(std::int64_t room_id, std::string slug) {
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

  void destroyRoom(std::int64_t room_id) {
    auto it = rooms.find(room_id);
    if (it == rooms.end()) return;
    if (it->second.created && control_handle != 0) {
      janus.call(message(control_session, control_handle,
                         {{"request", "destroy"}, {"room", it->second.janus_id},
                          {"secret", it->second.secret}}),
                 [](Result<JanusMessage>) {});
    }
    rooms.erase(it);
  }

  // --- frames from participants --------------------------------------------------------------

  void onSignal(realtime::MediaPeer who, realtime::MediaSignal frame) {
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

  awaitable<void> drain(ConnId conn, std::uint64_t generation) {
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

  awaitable<void> join(ConnId conn, std::uint64_t generation) {
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

  // Reports the failure of a join step and forgets the participant (its session is destroyed).
  void giveUp(ConnId conn, std::string_view code, const std::string& message) {
    auto it = peers.find(conn);
    if (it == peers.end()) return;
    log::warn("media_join_failed", {{"participant", it->second.who.participant_id}, {"message", message}});
    fail(it->second, code, message);
    dropPeer(conn);
  }

  awaitable<void> publish(ConnId conn, std::uint64_t generation, std::string sdp) {
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

  awaitable<void> unpublish(ConnId conn, std::uint64_t generation) {
    Peer* p = alive(conn, generation);
    if (!p || !p->publishing) co_return;
    p->publishing = false;
    removeFeed(p->who.room_id, p->feed);
    json::object request = message(p->session, p->pub, json::object{{"request", "unpublish"}});
    (void)co_await call(std::move(request));
  }

  awaitable<void> answer(ConnId conn, std::uint64_t generation, std::string sdp) {
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
  awaitable<void> quality(ConnId conn, std::uint64_t generation, std::string participant, int substream) {
    Peer* p = alive(conn, generation);
    if (!p) co_return;
    p->wanted_substream[participant] = substream;
    co_await applyQuality(conn, generation, participant);
  }

  awaitable<void> applyQuality(ConnId conn, std::uint64_t generation, std::string participant) {
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

  void trickle(const Peer& p, const realtime::MediaSignal& frame) {
    const std::uint64_t handle = frame.target == "publisher" ? p.pub : p.sub;
    if (p.session == 0 || handle == 0) return;  // nothing negotiated yet on that side
    json::object request{{"janus", "trickle"}, {"session_id", p.session}, {"handle_id", handle}};
    request["candidate"] = frame.candidate ? *frame.candidate : json::object{{"completed", true}};
    janus.call(std::move(request), [](Result<JanusMessage> r) {
      if (!r) log::debug("janus_trickle_failed", {{"message", r.error().message}});
    });
  }

  // --- subscriptions ---------------------------------------------------------------------------

  // Subscribes the participant's subscriber handle to every publishing feed of the room it does not
  // have yet; forwards Janus's offer. Janus itself drops feeds that go away (autoupdate).
  awaitable<void> syncSubscriptions(ConnId conn, std::uint64_t generation) {
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
        if (Room* room = findRoom(p->who.room_id)) {
          for (auto f : added) room->feeds.erase(f);
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

  awaitable<void> resyncLater(ConnId conn, std::uint64_t generation) {
    asio::steady_timer wait(strand);
    wait.expires_after(kResyncAfter);
    co_await wait.async_wait(kTuple);
    co_await syncSubscriptions(conn, generation);
  }

  void forwardOffer(Peer& p, const json::object& data, const json::object& jsep) {
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

  Room* findRoom(std::int64_t room_id) {
    auto it = rooms.find(room_id);
    return it == rooms.end() || !it->second.created ? nullptr : &it->second;
  }

  void addFeed(std::int64_t room_id, std::uint64_t feed, const std::string& participant) {
    Room* room = findRoom(room_id);
    if (!room || feed == 0 || participant.empty()) return;
    if (!room->feeds.emplace(feed, participant).second) return;
    for (ConnId conn : room->peers) {
      if (auto it = peers.find(conn); it != peers.end() && it->second.ready) {
        spawn(syncSubscriptions(conn, it->second.generation));
      }
    }
  }

  void removeFeed(std::int64_t room_id, std::uint64_t feed) {
    Room* room = findRoom(room_id);
    if (!room || room->feeds.erase(feed) == 0) return;
    if (room->talking.erase(feed)) broadcastTalking(*room, feed, false);
    for (ConnId conn : room->peers) {
      if (auto it = peers.find(conn); it != peers.end()) it->second.subscribed.erase(feed);
    }
  }

  void broadcastTalking(const Room& room, std::uint64_t feed, bool talking) {
    std::string participant;
    for (ConnId conn : room.peers) {
      auto it = peers.find(conn);
      if (it != peers.end() && it->second.feed == feed) participant = it->second.who.participant_id;
    }
    if (participant.empty()) return;
    const auto frame = frameOf({{"type", "media.talking"}, {"participant_id", participant}, {"talking", talking}});
    for (ConnId conn : room.peers) {
      if (auto it = peers.find(conn); it != peers.end()) it->second.who.outlet->deliver(frame);
    }
  }

  // --- leaving -----------------------------------------------------------------------------

  void dropPeer(ConnId conn) {
    auto it = peers.find(conn);
    if (it == peers.end()) return;
    Peer p = std::move(it->second);
    peers.erase(it);
    handles.erase(p.pub);
    handles.erase(p.sub);
    destroySession(p.session);  // Janus tells the others ("leaving"/"unpublished") and updates them
    auto r = rooms.find(p.who.room_id);
    if (r == rooms.end()) return;
    if (p.publishing) removeFeed(p.who.room_id, p.feed);
    r->second.peers.erase(conn);
    if (r->second.peers.empty() && !r->second.creating) destroyRoom(p.who.room_id);
    log::info("media_left", {{"room", p.who.room_slug}, {"participant", p.who.participant_id}});
  }

  // --- events from Janus -------------------------------------------------------------------

  void onJanusEvent(const JanusMessage& m) {
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

  void onPublisherEvent(const Peer& p, const json::object& data) {
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

  void onConnection(bool up) {
    if (up) return;
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

  void scheduleKeepalive() {
    keepalive_timer.expires_after(settings.keepalive);
    keepalive_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->stopped) return;
      auto ping = [&](std::uint64_t session) {
        if (session != 0) {
          self->janus.call({{"janus", "keepalive"}, {"session_id", session}}, [](Result<JanusMessage>) {});
        }
      };
      ping(self->control_session);
      for (const auto& [conn, p] : self->peers) ping(p.session);
      self->scheduleKeepalive();
    });
  }
};

JanusRelay::JanusRelay(asio::io_context& io, JanusClient& janus, common::Random& random,
                       RelaySettings settings)
    : impl_(std::make_shared<Impl>(io, janus, random, std::move(settings))) {}

JanusRelay::~JanusRelay() { stop(); }

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
