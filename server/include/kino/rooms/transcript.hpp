#pragma once
// The chat of a room as a plain-text file people can read, keep and search (an export; the JSON
// export is the API's message objects).

#include <string>
#include <string_view>
#include <vector>

#include "kino/storage/records.hpp"

namespace kino::rooms {

// UTF-8 text with LF line endings: a header (the title, the room's address, when it started and
// ended, how many messages), a blank line, then one entry per message, oldest first:
// "[2026-12-07 18:04:05 UTC] Ann: text". A message's further lines follow indented by four spaces,
// so every entry starts with "[" and no message can forge another's header. Control characters
// other than newlines are dropped (the store accepts none, but an export must not depend on that).
std::string transcriptText(const storage::RoomRecord& room, std::string_view room_url,
                           const std::vector<storage::MessageRecord>& messages);

}  // namespace kino::rooms
