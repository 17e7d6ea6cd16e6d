#include "kino/realtime/protocol.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cmath>

namespace kino::realtime {
namespace {

constexpr double kMaxClientTime = 1e15;  // ms: about 31,700 years after 1970

bool validClientId(std::string_view id) {
  if (id.empty() || id.size() > kMaxClientIdLength) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

// The SDP of a jsep object {type: <want>, sdp}.
std::optional<std::string> jsepSdp(const boost::json::object& o, std::string_view want) {
  const auto* jsep = o.if_contains("jsep");
  if (!jsep || !jsep->is_object()) return std::nullopt;
  const auto* type = jsep->as_object().if_contains("type");
  const auto* sdp = jsep->as_object().if_contains("sdp");
  if (!type || !type->is_string() || type->as_string() != want) return std::nullopt;
  if (!sdp || !sdp->is_string() || sdp->as_string().empty() ||
      sdp->as_string().size() > kMaxSdpBytes) {
    return std::nullopt;
  }
  return std::string(sdp->as_string());
}

// {candidate: string ≤ 1024, sdpMid?: string ≤ 64, sdpMLineIndex?: 0..1023}; only these fields are kept.
std::optional<boost::json::object> iceCandidate(const boost::json::value& v) {
  if (!v.is_object()) return std::nullopt;
  const auto& c = v.as_object();
  const auto* text = c.if_contains("candidate");
  if (!text || !text->is_string() || text->as_string().size() > 1024) return std::nullopt;
  boost::json::object out{{"candidate", text->as_string()}};
  if (const auto* mid = c.if_contains("sdpMid"); mid && !mid->is_null()) {
    if (!mid->is_string() || mid->as_string().size() > 64) return std::nullopt;
    out["sdpMid"] = mid->as_string();
  }
  if (const auto* index = c.if_contains("sdpMLineIndex"); index && !index->is_null()) {
    if (!index->is_int64() || index->as_int64() < 0 || index->as_int64() > 1023) return std::nullopt;
    out["sdpMLineIndex"] = index->as_int64();
  }
  return out;
}

Decoded decodeMediaSignal(const boost::json::object& o, std::string_view t, const std::string& id) {
  MediaSignal m;
  m.type = std::string(t);
  if (t == "media.join" || t == "media.leave" || t == "media.unpublish") return m;
  if (t == "media.publish" || t == "media.answer") {
    auto sdp = jsepSdp(o, t == "media.publish" ? "offer" : "answer");
    if (!sdp) {
      return FrameError{"invalid_request",
                        std::string(t) + " needs jsep: {type: \"" +
                            (t == "media.publish" ? "offer" : "answer") + "\", sdp} (at most " +
                            std::to_string(kMaxSdpBytes / 1024) + " KiB).",
                        id};
    }
    m.sdp = std::move(*sdp);
    return m;
  }
  if (t == "media.trickle") {
    const auto* target = o.if_contains("target");
    if (!target || !target->is_string() ||
        (target->as_string() != "publisher" && target->as_string() != "subscriber")) {
      return FrameError{"invalid_request", "media.trickle needs target: publisher or subscriber.", id};
    }
    m.target = std::string(target->as_string());
    const auto* candidate = o.if_contains("candidate");
    if (candidate && !candidate->is_null()) {
      m.candidate = iceCandidate(*candidate);
      if (!m.candidate) {
        return FrameError{"invalid_request",
                          "media.trickle needs candidate: {candidate, sdpMid, sdpMLineIndex} or null.",
                          id};
      }
    }
    return m;
  }
  if (t == "media.quality") {
    const auto* who = o.if_contains("participant_id");
    const auto* quality = o.if_contains("quality");
    const std::string_view q =
        quality && quality->is_string() ? std::string_view(quality->as_string()) : std::string_view();
    if (!who || !who->is_string() || who->as_string().empty() || who->as_string().size() > 64 ||
        (q != "low" && q != "medium" && q != "high")) {
      return FrameError{"invalid_request",
                        "media.quality needs participant_id and quality: low, medium or high.", id};
    }
    m.participant_id = std::string(who->as_string());
    m.substream = q == "low" ? 0 : q == "medium" ? 1 : 2;
    return m;
  }
  return FrameError{"unknown_type", "Unknown frame type \"" + std::string(t.substr(0, 40)) + "\".",
                    id};
}

}  // namespace

Decoded decodeClientFrame(std::string_view text) {
  if (text.size() > kMaxFrameBytes) {
    return FrameError{"frame_too_large",
                      "The frame is larger than " + std::to_string(kMaxFrameBytes) + " bytes.", {}};
  }
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) {
    return FrameError{"malformed_frame", "Frames must be JSON objects.", {}};
  }
  const auto& o = v.as_object();
  std::string id;
  if (const auto* idv = o.if_contains("id")) {
    if (!idv->is_string() || !validClientId(idv->as_string())) {
      return FrameError{"invalid_request",
                        "id must be 1–64 characters of letters, digits, - _ . :", {}};
    }
    id = std::string(idv->as_string());
  }
  const auto* type = o.if_contains("type");
  if (!type || !type->is_string()) {
    return FrameError{"invalid_request", "Every frame needs a string \"type\".", id};
  }
  const std::string_view t = type->as_string();
  if (t == "chat.send") {
    if (id.empty()) return FrameError{"invalid_request", "chat.send needs a client \"id\".", id};
    const auto* body = o.if_contains("text");
    if (!body || !body->is_string()) {
      return FrameError{"invalid_request", "chat.send needs a string \"text\".", id};
    }
    return ChatSend{id, std::string(body->as_string())};
  }
  if (t == "ping") {
    Ping p{id, 0};
    if (const auto* t0 = o.if_contains("t0")) {
      // A number JSON can carry back: 1e400 parses as infinity, which has no JSON form.
      if (!t0->is_number() || !std::isfinite(t0->to_number<double>()) ||
          std::fabs(t0->to_number<double>()) > kMaxClientTime) {
        return FrameError{"invalid_request", "t0 must be a finite number of milliseconds.", id};
      }
      p.t0 = t0->to_number<double>();
    }
    return p;
  }
  // A present, finite number (infinities from 1e400 count as absent, so the caller refuses them).
  auto number = [&](std::string_view key) -> std::optional<double> {
    const auto* n = o.if_contains(key);
    if (!n || !n->is_number() || !std::isfinite(n->to_number<double>())) return std::nullopt;
    return n->to_number<double>();
  };
  auto string = [&](std::string_view key) -> std::optional<std::string> {
    const auto* str = o.if_contains(key);
    if (!str || !str->is_string()) return std::nullopt;
    return std::string(str->as_string());
  };
  if (t == "playback.control") {
    auto name = string("action");
    auto action = name ? playback::parseAction(*name) : std::nullopt;
    if (!action) {
      return FrameError{"invalid_request",
                        "playback.control needs an action: play, pause, seek, rate, volume or mute.",
                        id};
    }
    PlaybackCommand cmd{id, {*action, number("position_s"), number("rate"), number("volume"), {}}};
    if (const auto* m = o.if_contains("muted")) {
      if (!m->is_bool()) return FrameError{"invalid_request", "muted must be true or false.", id};
      cmd.control.muted = m->as_bool();
    }
    return cmd;
  }
  if (t == "clock.report") {
    auto rtt = number("rtt_ms");
    if (!rtt || *rtt < 0 || *rtt > 60000) {
      return FrameError{"invalid_request", "clock.report needs rtt_ms between 0 and 60000.", id};
    }
    return ClockReport{*rtt};
  }
  if (t == "playback.buffering") {
    const auto* b = o.if_contains("buffering");
    if (!b || !b->is_bool()) {
      return FrameError{"invalid_request", "playback.buffering needs buffering: true or false.", id};
    }
    return BufferingReport{b->as_bool()};
  }
  if (t == "room.policy") {
    PolicyChange p{id, string("control"), string("buffering")};
    if (p.control && *p.control != "everyone" && *p.control != "host") {
      return FrameError{"invalid_request", "control must be everyone or host.", id};
    }
    if (p.buffering && *p.buffering != "catch_up" && *p.buffering != "wait_for_all") {
      return FrameError{"invalid_request", "buffering must be catch_up or wait_for_all.", id};
    }
    return p;
  }
  if (t == "media.state") {
    const auto* mic = o.if_contains("mic");
    const auto* camera = o.if_contains("camera");
    if (!mic || !mic->is_bool() || !camera || !camera->is_bool()) {
      return FrameError{"invalid_request", "media.state needs mic and camera: true or false.", id};
    }
    return MediaStateReport{mic->as_bool(), camera->as_bool()};
  }
  if (t.rfind("media.", 0) == 0) return decodeMediaSignal(o, t, id);
  return FrameError{"unknown_type", "Unknown frame type \"" + std::string(t.substr(0, 40)) + "\".",
                    id};
}

boost::json::object playbackJson(const playback::PlaybackState& s) {
  boost::json::object o{{"status", s.playing ? "playing" : "paused"},
                        {"position_s", s.position_s},
                        {"rate", s.rate},
                        {"at_server_ms", s.at_server_ms},
                        {"volume", s.volume},
                        {"muted", s.muted},
                        {"action", s.action}};
  o["by"] = s.by_name.empty() && s.by_id.empty()
                ? boost::json::value(nullptr)
                : boost::json::value(boost::json::object{{"id", s.by_id}, {"name", s.by_name}});
  return o;
}

std::string errorFrame(std::string_view code, std::string_view message, std::string_view id) {
  boost::json::object o{{"type", "error"}, {"code", code}, {"message", message}};
  if (!id.empty()) o["id"] = id;
  return boost::json::serialize(o);
}

std::string memberIdFor(std::string_view principal) {
  if (principal.rfind("user:", 0) == 0) return "u" + std::string(principal.substr(5));
  if (principal.rfind("guest:", 0) == 0) return "g" + std::string(principal.substr(6, 12));
  return "x";
}

boost::json::object messageJson(const storage::MessageRecord& m) {
  // The id is the room-wide number, not the store's row id: a message acknowledged from the
  // journal while the store failed over has no row yet, and must not change id once it has one.
  return {{"id", std::to_string(m.seq)},
          {"client_id", m.client_id},
          {"seq", m.seq},
          {"author", {{"id", memberIdFor(m.principal)}, {"name", m.author_name}}},
          {"text", m.text},
          {"sent_at", common::toRfc3339(m.sent_at)}};
}

}  // namespace kino::realtime
