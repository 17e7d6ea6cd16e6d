#pragma once
// What Kino nodes say to each other about rooms, over the bus (JSON text). A node that holds a
// browser's socket but does not run its room (the edge) relays the connection to the node that
// does (the owner) on "room.<id>.in"; the owner answers on "node.<edge id>.out".

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kino/common/result.hpp"
#include "kino/realtime/outlet.hpp"
#include "kino/realtime/room_core.hpp"

namespace kino::realtime {

// Both directions of a relayed connection are numbered (relay_link.hpp): `n` is the message's
// number (0: not numbered: kConnect, kLeave, kEnd, kLink), `have` the sender's count of messages it
// took in order from the other side. A kLink carries only that: with `resend`, "send again what
// came after `have`"; with `reply` too, "and answer with a kLink of yours".
struct LinkState {
  std::uint64_t n = 0;
  std::uint64_t have = 0;
  bool resend = false;
  bool reply = false;
};

// Edge → owner.
struct ToOwner {
  enum class Kind { kConnect, kFrame, kReject, kLeave, kEnd, kLink };
  Kind kind = Kind::kFrame;
  std::string node;  // the edge node (kEnd: the node that ended the room)
  ConnId conn = 0;   // the edge's id of the connection
  Connect connect;   // kConnect (its `conn` is ignored: `conn` above counts)
  std::string text;  // kFrame: the client's frame as received
  FrameError error;  // kReject
  RoomEnd end;       // kEnd
  LinkState link;
};

// Owner → edge.
struct ToEdge {
  enum class Kind { kFrame, kClose, kLink };
  Kind kind = Kind::kFrame;
  ConnId conn = 0;     // the edge's id of the connection
  std::string text;    // kFrame: a server frame for that connection
  int code = 1000;     // kClose
  std::string reason;  // kClose
  LinkState link;
};

std::string encode(const ToOwner& m);
std::string encode(const ToEdge& m);
// kMalformed for anything that is not a well-formed message of this kind.
Result<ToOwner> decodeToOwner(std::string_view text);
Result<ToEdge> decodeToEdge(std::string_view text);

// A node's people counts by room slug ({"<slug>": count, …}).
std::string encodePresence(const std::map<std::string, int>& counts);
Result<std::map<std::string, int>> decodePresence(std::string_view text);

// A batch of chat messages an owner acknowledged from the room's journal while the store could not
// take them (every field of each message, times to the microsecond).
std::string encodeJournalBatch(const std::vector<storage::NewMessage>& batch);
Result<std::vector<storage::NewMessage>> decodeJournalBatch(std::string_view text);

// Bus subjects.
std::string roomInbox(std::int64_t room_id);      // "room.<id>.in"
std::string nodeInbox(std::string_view node_id);  // "node.<id>.out"
std::string roomJournal(std::int64_t room_id);    // "durable.journal.room.<id>"
// Lease names.
std::string roomLease(std::int64_t room_id);      // "room:<id>"
std::string nodeLease(std::string_view node_id);  // "node:<id>"

}  // namespace kino::realtime
