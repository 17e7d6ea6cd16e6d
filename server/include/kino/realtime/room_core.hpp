#pragma once
// The state of one live room — connections, members, the chat sequence, the replay buffer — as a
// pure state machine. Not thread-safe by design: its owner (RoomActor) calls it only on the room's
// strand. Every call returns Effects for the owner to carry out (frames to send, messages to persist,
// connections to close); nothing here does I/O, sleeps, or reads a clock other than the injected one.
//
// Ordering: every room event gets the next `seq` when it happens and is delivered strictly in seq
// order. A chat message is delivered (and acked) only after the store has made it durable, so events
// behind it wait in the outbox. Seq numbers of messages that turned out to be duplicates are skipped.

#include <cstdint>
#include <array>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/json/object.hpp>

#include "kino/common/clock.hpp"
#include "kino/common/rate_limiter.hpp"
#include "kino/common/result.hpp"
#include "kino/playback/playback_state.hpp"
#include "kino/realtime/frame_budget.hpp"
#include "kino/realtime/outlet.hpp"
#include "kino/realtime/protocol.hpp"
#include "kino/storage/records.hpp"

namespace kino::realtime {

// What one connection and one person may send, and what one room stores (docs/ARCHITECTURE.md,
// "Limits"). Budgets are token buckets: the number is both the burst and the rate per window.
struct FrameLimits {
  int chat_per_10s = 10;         // chat.send per person (a socket may send twice this: resends)
  int control_per_10s = 40;      // playback.control and room.policy, per socket and per person
  int media_state_per_10s = 20;  // media.state, per socket and per person
  int ping_per_10s = 60;         // ping (clock samples and heartbeats), per socket
  int report_per_10s = 40;       // clock.report and playback.buffering, per socket
  int signal_per_10s = 400;      // media.* call signalling (offers, answers, candidates), per socket
  int invalid_per_10s = 20;      // frames answered with an error (malformed, unknown...), per socket
  int frames_per_10s = 600;      // all frames of one socket; beyond this it is closed (1008)
  int room_chat_per_min = 300;      // chat messages one room accepts (and stores) per minute
  int room_playback_per_min = 120;  // playback changes one room broadcasts (and stores) per minute
  std::int64_t control_coalesce_ms = 200;  // controls closer together than this go out as one
};

// The per-person limits, shared by every room of the hub and keyed by member id, so that leaving
// and rejoining does not refill them. Thread-safe (each RateLimiter has its own mutex).
struct PersonLimiters {
  PersonLimiters(const common::Clock& clock, const FrameLimits& limits);
  common::RateLimiter chat;
  common::RateLimiter control;
  common::RateLimiter media_state;
};

// How a room ended (see RoomCore::end).
struct RoomEnd {
  std::string reason;    // "owner_ended" | "cancelled" | "empty"
  std::string ended_at;  // RFC 3339
};

struct Member {
  std::string id;    // memberIdFor(principal)
  std::string name;
  std::optional<std::int64_t> user_id;
};

struct Connect {
  ConnId conn = 0;
  std::string participant_id;  // random per connection
  std::string principal;       // "user:<id>" | "guest:<hash>"
  Member member;
  boost::json::object room;    // the room as this visitor sees it (for the snapshot)
  std::optional<std::int64_t> resume_from;
  bool is_owner = false;       // the room's host (may always control playback and set policies)
};

struct Effects {
  std::vector<std::pair<ConnId, Frame>> sends;
  std::vector<storage::NewMessage> persist;  // when non-empty: persist, then call persisted()
  struct Close {
    ConnId conn = 0;
    int code = 1008;
    std::string reason;
  };
  std::vector<Close> closes;  // after the frames above (the outlet closes once they are written)
  // A person who arrived (their first connection) or left (their last one), and when (the core's
  // clock): the owner counts them and records their visit (storage::VisitRepository).
  struct MemberMove {
    std::string principal;
    std::string name;
    common::TimePoint at;
  };
  std::vector<MemberMove> members_entered;  // people who arrived (first connection)
  std::vector<MemberMove> members_left;     // people who left (last connection)
  bool now_empty = false;   // the last person left
  // When set: store this as the room's seq floor (seq numbers below it are used up), so that seq
  // numbers never repeat after a restart. The core has already moved on; the write is best-effort.
  std::optional<std::int64_t> reserve_seq_floor;
  std::vector<storage::PlaybackEventRecord> persist_playback;  // store (best-effort, in order)
  std::optional<std::pair<std::string, std::string>> persist_policy;  // {control, buffering}
  // Video-call signalling for the media relay, and connections whose call ended (they closed).
  struct MediaSignalFrom {
    ConnId conn = 0;
    std::string participant_id;
    MediaSignal signal;
  };
  std::vector<MediaSignalFrom> media_signals;
  std::vector<ConnId> media_leaves;
  // When set: call tick() again at (or soon after) this server time, in ms since the epoch.
  std::optional<std::int64_t> wake_at_ms;
};

// Everything a room starts from (loaded by RoomHub::acquire).
struct RoomSetup {
  std::int64_t room_id = 0;
  std::int64_t last_seq = 0;        // the highest seq already delivered (stored messages)
  std::int64_t first_free_seq = 1;  // above anything an earlier run may have used
  std::int64_t reserved_until = 0;  // the seq floor already stored
  std::vector<storage::MessageRecord> recent;  // latest stored messages, oldest first
  playback::PlaybackState playback;            // the last stored playback state
  std::string control_policy = "everyone";
  std::string buffering_policy = "catch_up";
  std::optional<RoomEnd> ended;  // the room had ended before it was loaded
};

struct RoomCoreOptions {
  std::size_t snapshot_messages = 50;  // chat messages in the hello snapshot
  std::size_t replay_events = 1024;    // events kept for resume
  std::size_t dedupe_keys = 4096;      // client ids remembered for idempotent resends
  std::int64_t seq_block = 1'000'000;  // seq numbers reserved in the store at a time
  std::int64_t wait_for_all_max_ms = 10'000;  // wait_for_all: longest pause for a stalled member
  FrameLimits limits;
};

class RoomCore {
 public:
  // `people` holds the per-person limits (shared with other rooms); it must outlive the core.
  RoomCore(RoomSetup setup, const common::Clock& clock, PersonLimiters& people,
           RoomCoreOptions options = {});

  // Adds a connection: sends it hello (+ replay after resume_from when possible); announces the
  // member when it is their first connection. In an ended room it gets room.ended and is closed.
  Effects connect(Connect c);
  // Removes a connection (closed, timed out, or too slow); announces the member's departure when it
  // was their last one. Unknown ids are ignored.
  Effects disconnect(ConnId conn);
  // Handles one text frame from a connection, within the connection's and the person's limits
  // (refusals are "rate_limited" errors; a socket far over its frame budget is closed). Once the
  // room has ended every write is refused with "room_ended".
  Effects receive(ConnId conn, std::string_view text);
  // A frame the transport could not hand over (binary, oversized): counted and answered like a
  // frame that failed to decode.
  Effects reject(ConnId conn, const FrameError& error);
  // The room ended (by its owner, cancelled, or empty): announces room.ended (seq-ordered, after
  // chat still being stored) and then closes every connection with kCloseRoomEnded. From now on
  // writes are refused. Idempotent.
  Effects end(const RoomEnd& how);
  // Completes the persist batch handed out last (in the same order).
  Effects persisted(const Result<std::vector<storage::MessageRecord>>& result);
  // Time passes (called about once a second, and at wake_at_ms when asked): sends a coalesced
  // playback change that is due, ends a wait_for_all pause that took too long.
  Effects tick();

  const playback::PlaybackState& playback() const { return playback_; }

  std::int64_t lastSeq() const { return last_delivered_seq_; }
  std::size_t connectionCount() const { return conns_.size(); }
  std::size_t memberCount() const { return members_.size(); }
  bool persisting() const { return in_flight_ > 0; }
  bool ended() const { return ended_.has_value(); }
  // Nobody is connected and nothing is waiting to be stored or sent: the owner may release it.
  bool idle() const;

 private:
  // Frame kinds with a budget of their own (index into Conn::budgets).
  enum FrameKind { kChatKind, kControlKind, kMediaStateKind, kPingKind, kReportKind, kSignalKind,
                   kInvalidKind };
  static constexpr std::size_t kFrameKinds = 7;

  struct Conn {
    std::string participant_id;
    std::string principal;
    bool is_owner = false;
    std::int64_t rtt_ms = 0;
    bool mic = false;     // what the participant says it sends (media.state)
    bool camera = false;
    std::array<FrameBudget, kFrameKinds> budgets;
    FrameBudget frames;             // all frames together
    unsigned refused = 0;           // bit per kind: refused since the last accepted frame of it
  };
  struct MemberState {
    Member member;
    std::set<ConnId> conns;
  };
  struct Outgoing {
    std::int64_t seq = 0;
    bool closes_room = false;  // room.ended: close every connection once it is delivered
    Frame frame;          // set when ready
    bool ready = false;
    bool skip = false;    // a duplicate or a failed write: nothing to deliver
    std::vector<ConnId> ack_to;  // chat: one entry per chat.send of this id (resends included)
    std::string ack_id;          // chat: the client id
    std::string dedupe_key;
  };

  // Whether the connection may send one more frame of `kind`; on refusal answers with a
  // rate_limited error (when `id` is set, or the first refusal in a row of that kind).
  bool admitFrame(ConnId conn, FrameKind kind, const std::string& id, Effects& fx);
  // A rate_limited error frame with retry_after_ms.
  void refuse(Effects& fx, ConnId conn, std::string_view message, std::int64_t retry_after_ms,
              const std::string& id) const;
  void handle(ConnId conn, Decoded& d, Effects& fx);
  void onChat(ConnId conn, const std::string& id, const std::string& text, Effects& fx);
  void onControl(ConnId conn, const PlaybackCommand& cmd, Effects& fx);
  void onBuffering(ConnId conn, bool buffering, Effects& fx);
  void onPolicy(ConnId conn, const PolicyChange& change, Effects& fx);
  void onMediaState(ConnId conn, const MediaStateReport& report, Effects& fx);
  // Sets the new playback state, announces it (seq order) and hands it to the store — or, when the
  // last announcement was less than control_coalesce_ms ago, keeps it pending for tick() (a burst
  // of changes goes out as one).
  void publishPlayback(playback::PlaybackState next, const std::string& principal, Effects& fx);
  void announcePlayback(Effects& fx, bool deferred);
  std::int64_t nowMs() const;
  // The server itself pauses or resumes (wait_for_all).
  void serverControl(playback::Action action, const std::string& action_name,
                     const std::string& by_name, Effects& fx);
  boost::json::object policyJson() const;
  void enqueueReady(std::int64_t seq, std::string frame, Effects& fx);
  void flush(Effects& fx);
  void startPersistIfIdle(Effects& fx);
  void send(Effects& fx, ConnId to, std::string frame) const;
  void ackTo(Effects& fx, ConnId to, const std::string& id, const storage::MessageRecord& m) const;
  boost::json::array membersJson() const;
  boost::json::object participantJson(const Conn& c) const;
  boost::json::array participantsJson() const;
  boost::json::array recentJson() const;
  void remember(const std::string& key, std::int64_t seq);

  const std::int64_t room_id_;
  const common::Clock& clock_;
  PersonLimiters& people_;
  const RoomCoreOptions options_;

  std::int64_t takeSeq(Effects& fx);

  std::int64_t next_seq_;
  std::int64_t last_delivered_seq_;
  std::int64_t reserved_until_;
  std::map<ConnId, Conn> conns_;
  std::map<std::string, MemberState> members_;  // by principal
  std::deque<Outgoing> outbox_;                  // seq order
  std::deque<std::pair<std::int64_t, Frame>> replay_;
  std::deque<storage::MessageRecord> recent_;
  std::vector<storage::NewMessage> queued_;  // waiting for the next persist batch
  std::size_t in_flight_ = 0;                // size of the batch being persisted
  std::unordered_map<std::string, std::int64_t> dedupe_;  // principal\nclient_id → seq
  std::deque<std::string> dedupe_order_;
  std::map<std::int64_t, storage::MessageRecord> delivered_;  // seq → message, for re-acks (bounded)
  playback::PlaybackState playback_;
  std::string control_policy_;
  std::string buffering_policy_;
  std::set<std::string> buffering_;  // member ids whose players are stalled
  std::optional<std::int64_t> waiting_since_ms_;  // wait_for_all: when the server paused
  // Coalescing: the principal of a playback change not announced yet (playback_ holds it), and
  // when the last one went out.
  std::optional<std::string> pending_playback_by_;
  std::int64_t last_playback_ms_ = 0;
  std::deque<std::int64_t> room_chat_times_;      // accepted chat in the last minute (ms)
  std::deque<std::int64_t> room_playback_times_;  // announced playback changes in the last minute
  std::optional<RoomEnd> ended_;
  Frame ended_frame_;  // room.ended, for connections that arrive after it
};

}  // namespace kino::realtime
