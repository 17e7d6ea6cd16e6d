// libFuzzer target: the room WebSocket frame decoder must accept any bytes without crashing, hanging
// or leaking, and every refusal must be one of the documented error codes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "kino/realtime/protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto decoded = kino::realtime::decodeClientFrame(text);
  if (auto* e = std::get_if<kino::realtime::FrameError>(&decoded)) {
    const std::string_view c = e->code;
    if (c != "frame_too_large" && c != "malformed_frame" && c != "unknown_type" &&
        c != "invalid_request") {
      std::abort();
    }
    (void)kino::realtime::errorFrame(e->code, e->message, e->id);
  } else if (auto* chat = std::get_if<kino::realtime::ChatSend>(&decoded)) {
    if (chat->id.empty() || chat->id.size() > kino::realtime::kMaxClientIdLength) std::abort();
  }
  return 0;
}
