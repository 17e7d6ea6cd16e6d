#include "kino/rooms/calendar.hpp"

#include <ctime>

namespace kino::rooms {
namespace {

// 20261201T183000Z
std::string icsTime(common::TimePoint t) {
  const std::time_t tt = static_cast<std::time_t>(common::toUnixMillis(t) / 1000);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

// RFC 5545 §3.3.11: backslash, semicolon, comma and newlines are escaped in TEXT values.
std::string escapeText(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case ';': out += "\\;"; break;
      case ',': out += "\\,"; break;
      case '\n': out += "\\n"; break;
      case '\r': break;
      default: out += c;
    }
  }
  return out;
}

// RFC 5545 §3.1: lines longer than 75 octets are folded with CRLF + space, never inside a UTF-8
// sequence.
void addLine(std::string& out, std::string_view line) {
  std::size_t limit = 75;
  while (line.size() > limit) {
    std::size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    out.append(line.substr(0, cut)).append("\r\n ");
    line.remove_prefix(cut);
    limit = 74;  // the leading space counts
  }
  out.append(line).append("\r\n");
}

}  // namespace

std::string calendarFor(const storage::RoomRecord& room, std::string_view room_url,
                        common::TimePoint now) {
  const common::TimePoint start =
      room.starts_at ? *room.starts_at : room.live_at.value_or(room.created_at);
  const common::TimePoint end = start + std::chrono::minutes(room.duration_minutes);
  std::string out;
  addLine(out, "BEGIN:VCALENDAR");
  addLine(out, "VERSION:2.0");
  addLine(out, "PRODID:-//Kino//Kino watch party//EN");
  addLine(out, "CALSCALE:GREGORIAN");
  addLine(out, "METHOD:PUBLISH");
  addLine(out, "BEGIN:VEVENT");
  addLine(out, "UID:room-" + room.slug + "@kino");
  addLine(out, "DTSTAMP:" + icsTime(now));
  addLine(out, "DTSTART:" + icsTime(start));
  addLine(out, "DTEND:" + icsTime(end));
  addLine(out, "SUMMARY:" + escapeText(room.title));
  std::string description = room.description.empty() ? std::string() : room.description + "\n\n";
  description += "Join the watch party: " + std::string(room_url);
  addLine(out, "DESCRIPTION:" + escapeText(description));
  addLine(out, "URL:" + std::string(room_url));
  if (room.status == "ended" && room.ended_reason == "cancelled") addLine(out, "STATUS:CANCELLED");
  addLine(out, "END:VEVENT");
  addLine(out, "END:VCALENDAR");
  return out;
}

}  // namespace kino::rooms
