#include "kino/rooms/transcript.hpp"

#include "kino/common/clock.hpp"

namespace kino::rooms {

namespace {

// "2026-12-07 18:04:05 UTC" (from the RFC 3339 form "2026-12-07T18:04:05.123Z").
std::string utcStamp(common::TimePoint t) {
  std::string s = common::toRfc3339(t).substr(0, 19);
  s[10] = ' ';
  return s + " UTC";
}

// Appends `text` with each line after the first indented by `indent` (or, when `indent` is empty,
// on one line: newlines become spaces); drops other control characters (a CR of a CRLF included).
void appendIndented(std::string& out, std::string_view text, std::string_view indent) {
  for (const char ch : text) {
    const auto byte = static_cast<unsigned char>(ch);
    if (ch == '\n' && indent.empty()) {
      out += ' ';
    } else if (ch == '\n') {
      out += '\n';
      out += indent;
    } else if (byte >= 0x20 && byte != 0x7f) {
      out += ch;
    }
  }
}

}  // namespace

std::string transcriptText(const storage::RoomRecord& room, std::string_view room_url,
                           const std::vector<storage::MessageRecord>& messages) {
  std::string out;
  appendIndented(out, room.title, "");
  out += "\n";
  out += room_url;
  out += "\n";
  out += "Started: " + utcStamp(room.live_at.value_or(room.created_at)) + "\n";
  if (room.ended_at) out += "Ended: " + utcStamp(*room.ended_at) + "\n";
  out += "Messages: " + std::to_string(messages.size()) + "\n\n";
  for (const auto& m : messages) {
    out += "[" + utcStamp(m.sent_at) + "] ";
    appendIndented(out, m.author_name, "");
    out += ": ";
    appendIndented(out, m.text, "    ");
    out += "\n";
  }
  return out;
}

}  // namespace kino::rooms
