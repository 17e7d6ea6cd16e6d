#pragma once
// The Bus port: messages between Kino nodes. Adapters: `local` (one process; what `make run` uses)
// and `nats` (a NATS cluster, libnats). Subjects are dot-separated tokens of [A-Za-z0-9_-]
// ("room.42.in", "node.n1.out"); a subscription may end in ".>" (every subject below).
//
// Two kinds of delivery:
// - publish/subscribe: at most once, fast (~1-2 ms across NATS routes). Messages of one publisher
//   on one subject arrive in the order published. A message published while a node's connection is
//   being re-established may be lost (reconnects() counts those moments): use it where the
//   receiver recovers by itself (relayed connections number their messages and send again what
//   was lost: realtime/relay_link.hpp; presence reports come again every heartbeat).
// - publishDurable/subscribeDurable: at least once, stored (NATS JetStream, replicated) until every
//   durable subscriber acknowledged it; survives the loss of a NATS node (publishing may then wait
//   for a new stream leader, ~5-7 s). For what must not be lost (a session revoked, a room ended).
//
// Thread-safety: every call may come from any thread. Handlers run on the adapter's threads, one
// message at a time per subscription, in arrival order; they must not block (post to a strand).
// A Subscription stops delivery when destroyed; after its destructor returns its handler is not
// running and will not run again.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kino/common/result.hpp"

namespace kino::bus {

struct Message {
  std::string subject;
  std::string data;
};

using Handler = std::function<void(Message)>;

class Subscription {
 public:
  virtual ~Subscription() = default;
};

class Bus {
 public:
  virtual ~Bus() = default;

  // Sends `data` to the current subscribers of `subject`. kInvalid for a malformed subject;
  // kUnavailable when the bus cannot take it now (the message is not sent).
  virtual Result<void> publish(std::string_view subject, std::string_view data) = 0;
  virtual Result<std::unique_ptr<Subscription>> subscribe(std::string_view subject,
                                                          Handler handler) = 0;

  // Stores `data` under `subject` (which must lie under a durable prefix: "durable.>"), returning
  // once the bus has it safely (replicated); retries internally for up to `wait`, then
  // kUnavailable.
  virtual Result<void> publishDurable(std::string_view subject, std::string_view data,
                                      std::chrono::milliseconds wait) = 0;
  // Delivers to this subscriber, at least once and in order, every durable message of `subject`
  // published after its first subscription under `consumer`. `consumer` (one subject token) names a
  // cursor kept by the bus for this `subject`: one per node (e.g. the node id) makes every node see
  // every message; a node that reconnects or restarts with the same name continues where it
  // stopped. A message counts as handled when the handler returns. Keep one live subscription per
  // (consumer, subject). kInvalid for a malformed subject or consumer; kUnavailable when the bus
  // cannot set up the cursor now.
  virtual Result<std::unique_ptr<Subscription>> subscribeDurable(std::string_view subject,
                                                                 std::string_view consumer,
                                                                 Handler handler) = 0;

  // Journals: append-only logs, one per subject under "durable.journal.", stored like durable
  // messages (replicated; kept for the durable retention, an hour on NATS), written by one owner
  // at a time. An owner claims the journal (which returns everything in it), then appends after
  // the position it last saw; a claim by someone else in between makes the append fail
  // (kConflict "journal_fenced"), so an owner that lost the journal can never add to it unseen.
  struct JournalEntry {
    std::uint64_t position = 0;  // grows along the journal (not by one)
    std::string data;            // never empty
  };
  struct JournalClaim {
    std::uint64_t position = 0;         // where this claim stands: append after it
    std::vector<JournalEntry> entries;  // everything appended before the claim, oldest first
  };
  // Fences every earlier claim of `subject`, then returns what the journal holds. Blocks up to
  // `wait`, then kUnavailable.
  virtual Result<JournalClaim> claimJournal(std::string_view subject,
                                            std::chrono::milliseconds wait) = 0;
  // Appends `data` (not empty) if the journal's last position is still `after` (this owner's last
  // claim or append); returns the entry's position. kConflict "journal_fenced" when another claim
  // came since; kUnavailable when not stored within `wait` (it may still be, once: a claim shows).
  virtual Result<std::uint64_t> appendJournal(std::string_view subject, std::uint64_t after,
                                              std::string_view data,
                                              std::chrono::milliseconds wait) = 0;
  // Drops the entries before `position` (an owner's last position: what it wrote is stored
  // elsewhere now). The entry at `position` stays, so appends after it keep working.
  virtual Result<void> trimJournal(std::string_view subject, std::uint64_t position,
                                   std::chrono::milliseconds wait) = 0;

  // Whether the bus can deliver now (for /readyz).
  virtual bool healthy() const = 0;
  // How many times this node's connection to the bus was re-established (always 0 on one node).
  // Plain messages to and from this node may have been lost around each: a change is the cue to
  // repair what depends on them.
  virtual std::uint64_t reconnects() const = 0;
};

// Whether `subject` is well formed (tokens of [A-Za-z0-9_-]; `allow_wildcard`: a final ".>").
bool validSubject(std::string_view subject, bool allow_wildcard = false);

}  // namespace kino::bus
