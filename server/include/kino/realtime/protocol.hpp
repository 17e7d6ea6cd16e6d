#pragma once
// The room WebSocket protocol, version 1 (docs/protocol.md): decoding client frames and encoding the
// shared JSON shapes. Pure functions; client frames are untrusted input (fuzzed in tests/fuzz/).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <boost/json/object.hpp>

#include "kino/playback/playback_state.hpp"
#include "kino/storage/records.hpp"

namespace kino::realtime {

inline constexpr int kProtocolVersion = 1;
// Client frames above this size get an error frame "frame_too_large" (the socket's hard cap is higher).
// Sized for SDP: a subscriber's answer for a full 30-person call is about 50 KB.
inline constexpr std::size_t kMaxFrameBytes = 128 * 1024;
inline constexpr std::size_t kMaxSdpBytes = 100 * 1024;
inline constexpr long kMaxChatLength = 2000;  // code points
inline constexpr std::size_t kMaxClientIdLength = 64;

// {"type":"chat.send","id":"<client id>","text":"..."}
struct ChatSend {
  std::string id;
  std::string text;
};

// {"type":"ping","id"?: "...", "t0"?: <client clock, ms>} → pong with the server's clock.
struct Ping {
  std::string id;
  double t0 = 0;
};

// {"type":"playback.control","id"?,"action":"play|pause|seek|rate|volume|mute","position_s"?,
//  "rate"?,"volume"?,"muted"?}
struct PlaybackCommand {
  std::string id;
  playback::Control control;
};

// {"type":"clock.report","rtt_ms":N}: the client's measured round trip (lowest of its samples).
struct ClockReport {
  double rtt_ms = 0;
};

// {"type":"playback.buffering","buffering":true|false}: the client's player stalled or recovered.
struct BufferingReport {
  bool buffering = false;
};

// {"type":"room.policy","id"?,"control"?:"everyone|host","buffering"?:"catch_up|wait_for_all"}
struct PolicyChange {
  std::string id;
  std::optional<std::string> control;
  std::optional<std::string> buffering;
};

// {"type":"media.state","mic":bool,"camera":bool}: what this participant is sending.
struct MediaStateReport {
  bool mic = false;
  bool camera = false;
};

// A video-call signalling frame for the media relay (docs/protocol.md, "Video chat"), already
// checked: media.join | media.leave | media.unpublish (no fields); media.publish (jsep offer);
// media.answer (jsep answer); media.trickle (target publisher|subscriber, candidate or null);
// media.quality (participant_id, quality low|medium|high: which simulcast layer to receive).
struct MediaSignal {
  std::string type;
  std::string sdp;                                // publish / answer
  std::string target;                             // trickle: "publisher" | "subscriber"
  std::optional<boost::json::object> candidate;   // trickle: {candidate, sdpMid?, sdpMLineIndex?}; none = end
  std::string participant_id;                     // quality: whose video
  int substream = 2;                              // quality: 0 low, 1 medium, 2 high
};

// A frame that could not be accepted; answered with an error frame.
struct FrameError {
  std::string code;  // frame_too_large | malformed_frame | unknown_type | invalid_request
  std::string message;
  std::string id;  // the client id when it could be read
};

using Decoded = std::variant<ChatSend, Ping, PlaybackCommand, ClockReport, BufferingReport,
                             PolicyChange, MediaStateReport, MediaSignal, FrameError>;

// Decodes one client text frame. Never throws.
Decoded decodeClientFrame(std::string_view text);

// {"type":"error","code","message","id"?}
std::string errorFrame(std::string_view code, std::string_view message, std::string_view id = {});

// The public id of a room member: "u<user id>" for accounts, "g<12 hex>" for guests.
std::string memberIdFor(std::string_view principal);

// {"status":"playing|paused","position_s","rate","at_server_ms","volume","muted","action","by"}
boost::json::object playbackJson(const playback::PlaybackState& s);

// {"id","client_id","seq","author":{"id","name"},"text","sent_at"}
boost::json::object messageJson(const storage::MessageRecord& m);

}  // namespace kino::realtime
