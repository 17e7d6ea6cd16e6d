#include "kino/media/janus_message.hpp"

#include <boost/json/parse.hpp>

#include <array>
#include <utility>

namespace kino::media {
namespace {

Error malformed(std::string what) {
  return Error::make(ErrorKind::kMalformed, "janus_malformed", "Janus sent " + std::move(what));
}

// Janus ids are positive 53-bit integers in practice; accept any non-negative integer.
std::optional<std::uint64_t> id(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_uint64()) return v->as_uint64();
  if (v->is_int64() && v->as_int64() >= 0) return static_cast<std::uint64_t>(v->as_int64());
  return std::nullopt;
}

JanusKind kindOf(std::string_view janus) {
  static constexpr std::array<std::pair<std::string_view, JanusKind>, 14> kKinds = {{
      {"success", JanusKind::kSuccess},     {"ack", JanusKind::kAck},
      {"error", JanusKind::kError},         {"event", JanusKind::kEvent},
      {"webrtcup", JanusKind::kWebrtcUp},   {"media", JanusKind::kMedia},
      {"slowlink", JanusKind::kSlowLink},   {"hangup", JanusKind::kHangup},
      {"detached", JanusKind::kDetached},   {"timeout", JanusKind::kTimeout},
      {"trickle", JanusKind::kTrickle},     {"server_info", JanusKind::kServerInfo},
      {"pong", JanusKind::kPong},           {"keepalive", JanusKind::kKeepalive},
  }};
  for (const auto& [name, kind] : kKinds) {
    if (name == janus) return kind;
  }
  return JanusKind::kOther;
}

}  // namespace

Result<JanusMessage> parseJanusMessage(std::string_view text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return malformed("something that is not a JSON object");
  const auto& o = v.as_object();
  const auto* janus = o.if_contains("janus");
  if (!janus || !janus->is_string()) return malformed("a message without \"janus\"");
  JanusMessage m;
  m.janus = std::string(janus->as_string());
  m.kind = kindOf(m.janus);
  if (const auto* t = o.if_contains("transaction")) {
    if (!t->is_string()) return malformed("a non-string transaction");
    m.transaction = std::string(t->as_string());
  }
  auto session = id(o, "session_id");
  auto sender = id(o, "sender");
  if (!session || !sender) return malformed("a bad session or handle id");
  m.session_id = *session;
  m.sender = *sender;
  if (const auto* data = o.if_contains("data")) {
    if (!data->is_object()) return malformed("a non-object data");
    auto data_id = id(data->as_object(), "id");
    if (!data_id) return malformed("a bad data.id");
    m.data_id = *data_id;
  }
  if (const auto* err = o.if_contains("error")) {
    if (!err->is_object()) return malformed("a non-object error");
    const auto& e = err->as_object();
    if (const auto* code = e.if_contains("code"); code && code->is_int64()) {
      m.error_code = static_cast<int>(code->as_int64());
    }
    if (const auto* reason = e.if_contains("reason"); reason && reason->is_string()) {
      m.error_reason = std::string(reason->as_string());
    }
  }
  if (const auto* pd = o.if_contains("plugindata")) {
    if (!pd->is_object()) return malformed("a non-object plugindata");
    if (const auto* d = pd->as_object().if_contains("data")) {
      if (!d->is_object()) return malformed("a non-object plugindata.data");
      m.plugin_data = d->as_object();
    }
  }
  if (const auto* jsep = o.if_contains("jsep")) {
    if (!jsep->is_object()) return malformed("a non-object jsep");
    const auto& j = jsep->as_object();
    const auto* type = j.if_contains("type");
    const auto* sdp = j.if_contains("sdp");
    if (!type || !type->is_string() || !sdp || !sdp->is_string()) {
      return malformed("a jsep without type and sdp");
    }
    m.jsep = j;
  }
  if (const auto* cand = o.if_contains("candidate")) {
    if (!cand->is_object()) return malformed("a non-object candidate");
    m.candidate = cand->as_object();
  }
  if (const auto* reason = o.if_contains("reason"); reason && reason->is_string()) {
    m.reason = std::string(reason->as_string());
  }
  if (const auto* receiving = o.if_contains("receiving"); receiving && receiving->is_bool()) {
    m.receiving = receiving->as_bool();
  }
  if (const auto* type = o.if_contains("type"); type && type->is_string()) {
    m.media_type = std::string(type->as_string());
  }
  return m;
}

std::optional<std::pair<int, std::string>> videoroomError(const boost::json::object& d) {
  const auto* code = d.if_contains("error_code");
  if (!code || !code->is_int64()) return std::nullopt;
  std::string text;
  if (const auto* e = d.if_contains("error"); e && e->is_string()) text = std::string(e->as_string());
  return std::make_pair(static_cast<int>(code->as_int64()), text);
}

}  // namespace kino::media
