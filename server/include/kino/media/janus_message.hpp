#pragma once
// Reading what Janus sends Kino over its WebSocket API (janus-protocol). Janus is a separate process
// and its replies are untrusted input: every field is checked, nothing is assumed (fuzzed in
// tests/fuzz/janus_message_fuzz.cpp). Pure.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "kino/common/result.hpp"

namespace kino::media {

enum class JanusKind {
  kSuccess,     // a synchronous reply (session/handle ids in data.id, plugin replies in plugindata)
  kAck,         // an asynchronous request was accepted; its result comes later as kEvent
  kError,       // error.code / error.reason
  kEvent,       // a plugin event (plugindata, maybe jsep), for a transaction or unsolicited
  kWebrtcUp,    // ICE + DTLS up on a handle
  kMedia,       // media started/stopped arriving on a handle
  kSlowLink,
  kHangup,      // the PeerConnection of a handle is gone
  kDetached,
  kTimeout,     // the session timed out
  kTrickle,     // a candidate from Janus (full_trickle)
  kServerInfo,  // reply to "info"
  kPong,
  kKeepalive,   // unused by Janus 1.1 over WS, tolerated
  kOther,
};

struct JanusMessage {
  JanusKind kind = JanusKind::kOther;
  std::string janus;        // the raw "janus" field
  std::string transaction;  // "" for unsolicited events
  std::uint64_t session_id = 0;
  std::uint64_t sender = 0;  // the handle an event concerns
  std::uint64_t data_id = 0;  // success: data.id (new session or handle)
  int error_code = 0;
  std::string error_reason;
  std::optional<boost::json::object> plugin_data;  // plugindata.data
  std::optional<boost::json::object> jsep;         // {type, sdp}
  std::optional<boost::json::object> candidate;    // trickle
  std::string reason;       // hangup reason
  bool receiving = false;   // media
  std::string media_type;   // media: "audio" | "video"
};

// kMalformed when `text` is not a JSON object with a string "janus" field, or a field has a
// nonsensical type.
Result<JanusMessage> parseJanusMessage(std::string_view text);

// The VideoRoom error inside plugindata.data ({"error_code", "error"}), if any.
std::optional<std::pair<int, std::string>> videoroomError(const boost::json::object& plugin_data);

}  // namespace kino::media
