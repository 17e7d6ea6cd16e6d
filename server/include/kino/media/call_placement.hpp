#pragma once
// Which Janus node carries a room's video call. One Kino node decides alone when it has no
// PlacementBook (a pool of one, or nodes no other Kino node uses); Kino nodes in front of the same
// Janus nodes share one book (kept in the store by the app), so a room's call is on one Janus node
// whichever Kino node places it, and a room's new owner after a failover finds its node again.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "kino/common/result.hpp"

namespace kino::media {

// The shared record of placements, one Janus node per room, named "host:port" (the same name on
// every Kino node). Each function blocks (it reaches the store) and is called from one thread at a
// time per pool, never from a room strand; an error means the book could not be read or written.
struct PlacementBook {
  // Records `node` for the room unless a node is recorded; returns the recorded node (the caller's
  // or an earlier one).
  std::function<Result<std::string>(std::int64_t room_id, const std::string& node)> place;
  // Replaces `from` by `to` if the room is still recorded on `from` (or not at all); returns the
  // recorded node afterwards (`to`, or whatever another Kino node recorded first).
  std::function<Result<std::string>(std::int64_t room_id, const std::string& from,
                                    const std::string& to)>
      move;
  // Forgets the room's placement if it is still `node` (the call ended here).
  std::function<Result<void>(std::int64_t room_id, const std::string& node)> forget;

  bool shared() const { return static_cast<bool>(place); }
};

// What one Kino node sees of a Janus node when it places a call.
struct NodeView {
  std::string name;       // "host:port"
  bool healthy = false;   // answers its health probe
  std::size_t calls = 0;  // calls this Kino node has on it
};

// The node (index into `nodes`) for `room_id`'s call. `current` is where this Kino node has the
// room now, if anywhere. The preferred node is `current` while it is healthy, else the healthy node
// with the fewest calls (the first of equals). Without a shared book, that is the answer. With
// one, the book decides: the preferred node is recorded unless a node is recorded already; a
// recorded node that is healthy here is used as it is (another Kino node placed the call there);
// an unhealthy one is replaced by the preferred node unless another Kino node replaced it first,
// whose choice is then used. No healthy node: `current` (or node 0) and the book is not touched;
// the relay answers that video chat is unavailable. Errors: the book's; kUnavailable
// "media_placement_unknown" when the book names a node this Kino node is not configured with.
// Blocks on the book.
Result<std::size_t> chooseNode(std::int64_t room_id, const std::vector<NodeView>& nodes,
                               std::optional<std::size_t> current, const PlacementBook& book);

}  // namespace kino::media
