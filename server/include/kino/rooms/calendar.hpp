#pragma once
// iCalendar (RFC 5545) export of a room's meeting.

#include <string>
#include <string_view>

#include "kino/common/clock.hpp"
#include "kino/storage/records.hpp"

namespace kino::rooms {

// A VCALENDAR with one VEVENT (UID, DTSTAMP, DTSTART, DTEND = start + duration, SUMMARY,
// DESCRIPTION, URL), CRLF line endings, text escaped and lines folded at 75 octets. An unscheduled
// room starts when it went live (or was created).
std::string calendarFor(const storage::RoomRecord& room, std::string_view room_url,
                        common::TimePoint now);

}  // namespace kino::rooms
