#pragma once
// The room WebSocket protocol, version 1 (docs/protocol.md): decoding client frames and encoding the
// shared JSON shapes. Pure functions; client frames are untrusted input (fuzzed in tests/fuzz/).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include <boost/json/object.hpp>

#include "kino/storage/records.hpp"

namespace kino::realtime {

inline constexpr int kProtocolVersion = 1;
// Client frames above this size get an error frame "frame_too_large" (the socket's hard cap is higher).
inline constexpr std::size_t kMaxFrameBytes = 16 * 1024;
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

// A frame that could not be accepted; answered with an error frame.
struct FrameError {
  std::string code;  // frame_too_large | malformed_frame | unknown_type | invalid_request
  std::string message;
  std::string id;  // the client id when it could be read
};

using Decoded = std::variant<ChatSend, Ping, FrameError>;

// Decodes one client text frame. Never throws.
Decoded decodeClientFrame(std::string_view text);

// {"type":"error","code","message","id"?}
std::string errorFrame(std::string_view code, std::string_view message, std::string_view id = {});

// The public id of a room member: "u<user id>" for accounts, "g<12 hex>" for guests.
std::string memberIdFor(std::string_view principal);

// {"id","client_id","seq","author":{"id","name"},"text","sent_at"}
boost::json::object messageJson(const storage::MessageRecord& m);

}  // namespace kino::realtime
