#include "kino/realtime/protocol.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace kino::realtime {
namespace {

bool validClientId(std::string_view id) {
  if (id.empty() || id.size() > kMaxClientIdLength) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
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
      if (!t0->is_number()) return FrameError{"invalid_request", "t0 must be a number.", id};
      p.t0 = t0->to_number<double>();
    }
    return p;
  }
  return FrameError{"unknown_type", "Unknown frame type \"" + std::string(t.substr(0, 40)) + "\".",
                    id};
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
  return {{"id", std::to_string(m.id)},
          {"client_id", m.client_id},
          {"seq", m.seq},
          {"author", {{"id", memberIdFor(m.principal)}, {"name", m.author_name}}},
          {"text", m.text},
          {"sent_at", common::toRfc3339(m.sent_at)}};
}

}  // namespace kino::realtime
