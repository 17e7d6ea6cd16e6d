#pragma once
// Private to the relay's translation units (janus_relay*.cpp): JanusRelay::Impl's state and the small
// helpers they share. Everything here runs on the relay's strand.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
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
#include "kino/media/janus_relay.hpp"

namespace kino::media {

namespace asio = boost::asio;
namespace json = boost::json;
using asio::awaitable;
using realtime::ConnId;
using realtime::Frame;
using Strand = asio::strand<asio::io_context::executor_type>;

namespace relay_detail {
inline constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
inline constexpr auto kResyncAfter = std::chrono::seconds(1);
inline constexpr int kMaxResyncs = 5;  // subscription attempts in a row that failed for other reasons

// JanusClient::call as an awaitable: resumes on the awaiting coroutine's executor (the strand).
template <class Token>
auto asyncCall(JanusClient& janus, json::object request, Token&& token) {
  return asio::async_initiate<Token, void(Result<JanusMessage>)>(
      [&janus](auto handler, const json::object& req) {
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        janus.call(req, [h](Result<JanusMessage> r) {
          auto ex = asio::get_associated_executor(*h);
          asio::post(ex, [h, r = std::move(r)]() mutable { std::move (*h)(std::move(r)); });
        });
      },
      token, std::move(request));
}

inline std::uint64_t randomId(common::Random& random) {
  std::array<std::uint8_t, 8> b{};
  random.fill(b);
  std::uint64_t v = 0;
  for (auto x : b) v = (v << 8) | x;
  return (v & ((std::uint64_t{1} << 52) - 1)) + 1;  // exact in a JSON double
}

inline std::string str(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

inline std::uint64_t u64(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v && v->is_uint64()) return v->as_uint64();
  if (v && v->is_int64() && v->as_int64() > 0) return static_cast<std::uint64_t>(v->as_int64());
  return 0;
}

inline Frame frameOf(const json::object& o) {
  return std::make_shared<const std::string>(json::serialize(o));
}

inline Frame errorOf(std::string_view code, std::string_view message) {
  return std::make_shared<const std::string>(realtime::errorFrame(code, message));
}

// The failure of a VideoRoom request, as a sentence: a transport error or the plugin's error.
inline std::optional<std::string> failureOf(const Result<JanusMessage>& r) {
  if (!r) return r.error().message;
  if (r->plugin_data) {
    if (auto e = videoroomError(*r->plugin_data)) return std::to_string(e->first) + " " + e->second;
  }
  return std::nullopt;
}

inline json::object message(std::uint64_t session, std::uint64_t handle, json::object body) {
  return {{"janus", "message"}, {"session_id", session}, {"handle_id", handle},
          {"body", std::move(body)}};
}

}  // namespace relay_detail

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
    co_return co_await relay_detail::asyncCall(janus, std::move(request), asio::use_awaitable);
  }
  Peer* alive(ConnId conn, std::uint64_t generation) {
    auto it = peers.find(conn);
    return it != peers.end() && it->second.generation == generation ? &it->second : nullptr;
  }
  // A stopped relay (the node shuts down) tells its participants nothing: the failures of calls the
  // stop cut off are not theirs, and their media goes on under Janus while they hand over.
  void send(const Peer& p, const json::object& frame) {
    if (!stopped) p.who.outlet->deliver(relay_detail::frameOf(frame));
  }
  void fail(const Peer& p, std::string_view code, std::string_view message) {
    if (!stopped) p.who.outlet->deliver(relay_detail::errorOf(code, message));
  }
  void spawn(awaitable<void> work) {
    asio::co_spawn(strand, std::move(work), log::LogFailure{"janus_relay"});
  }
  void destroySession(std::uint64_t session) {
    if (session == 0) return;
    janus.call({{"janus", "destroy"}, {"session_id", session}}, [](const Result<JanusMessage>&) {});
  }

  // --- Janus sessions for rooms ----------------------------------------------------------------
  // The session and handle that create and destroy VideoRooms; false when Janus is unreachable.
  awaitable<bool> ensureControl();
  // The room's VideoRoom, created on first use. Null when it could not be created.
  awaitable<Room*> ensureRoom(std::int64_t room_id, std::string slug);
  void destroyRoom(std::int64_t room_id);

  // --- frames from participants --------------------------------------------------------------
  void onSignal(realtime::MediaPeer who, realtime::MediaSignal frame);
  awaitable<void> drain(ConnId conn, std::uint64_t generation);
  awaitable<void> join(ConnId conn, std::uint64_t generation);
  // Reports the failure of a join step and forgets the participant (its session is destroyed).
  void giveUp(ConnId conn, std::string_view code, const std::string& message);
  awaitable<void> publish(ConnId conn, std::uint64_t generation, std::string sdp);
  awaitable<void> unpublish(ConnId conn, std::uint64_t generation);
  awaitable<void> answer(ConnId conn, std::uint64_t generation, std::string sdp);
  // Picks the simulcast layer Janus forwards of one participant's video (small tiles take the low
  // one). Remembered, and applied again to that participant's streams in later offers.
  awaitable<void> quality(ConnId conn, std::uint64_t generation, std::string participant, int substream);
  awaitable<void> applyQuality(ConnId conn, std::uint64_t generation, std::string participant);
  void trickle(const Peer& p, const realtime::MediaSignal& frame);

  // --- subscriptions ---------------------------------------------------------------------------
  // Subscribes the participant's subscriber handle to every publishing feed of the room it does not
  // have yet; forwards Janus's offer. Janus itself drops feeds that go away (autoupdate).
  awaitable<void> syncSubscriptions(ConnId conn, std::uint64_t generation);
  awaitable<void> resyncLater(ConnId conn, std::uint64_t generation);
  void forwardOffer(Peer& p, const json::object& data, const json::object& jsep);
  Room* findRoom(std::int64_t room_id);
  void addFeed(std::int64_t room_id, std::uint64_t feed, const std::string& participant);
  void removeFeed(std::int64_t room_id, std::uint64_t feed);
  void broadcastTalking(const Room& room, std::uint64_t feed, bool talking);

  // --- leaving -----------------------------------------------------------------------------
  void dropPeer(ConnId conn);

  // --- events from Janus -------------------------------------------------------------------
  void onJanusEvent(const JanusMessage& m);
  void onPublisherEvent(const Peer& p, const json::object& data);
  void onConnection(bool up);
  void scheduleKeepalive();
};

}  // namespace kino::media
