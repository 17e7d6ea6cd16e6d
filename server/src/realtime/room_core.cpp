// RoomCore: connections, members, the seq-ordered outbox, limits, and the end of a room. Chat is in
// room_core_chat.cpp, playback and call state in room_core_playback.cpp.
#include "kino/realtime/room_core.hpp"

#include <boost/json/serialize.hpp>

#include "kino/realtime/protocol.hpp"

namespace kino::realtime {
namespace {

std::string toText(const boost::json::object& o) { return boost::json::serialize(o); }

boost::json::object memberJson(const Member& m, std::size_t connections) {
  boost::json::object o{{"id", m.id}, {"name", m.name}, {"connections", connections}};
  o["user_id"] = m.user_id ? boost::json::value(std::to_string(*m.user_id))
                           : boost::json::value(nullptr);
  o["guest"] = !m.user_id.has_value();
  return o;
}

std::string endedFrame(std::int64_t seq, const RoomEnd& how) {
  return toText({{"type", "room.ended"},
                 {"seq", seq},
                 {"room",
                  {{"status", "ended"}, {"ended_reason", how.reason}, {"ended_at", how.ended_at}}}});
}

constexpr std::int64_t kTenSeconds = 10'000;

}  // namespace

PersonLimiters::PersonLimiters(const common::Clock& clock, const FrameLimits& limits)
    : chat(clock, static_cast<std::size_t>(limits.chat_per_10s), std::chrono::seconds(10)),
      control(clock, static_cast<std::size_t>(limits.control_per_10s), std::chrono::seconds(10)),
      media_state(clock, static_cast<std::size_t>(limits.media_state_per_10s),
                  std::chrono::seconds(10)) {}

RoomCore::RoomCore(RoomSetup setup, const common::Clock& clock, PersonLimiters& people,
                   RoomCoreOptions options)
    : room_id_(setup.room_id), clock_(clock), people_(people), options_(options),
      next_seq_(std::max(setup.first_free_seq, setup.last_seq + 1)),
      last_delivered_seq_(setup.last_seq), reserved_until_(setup.reserved_until),
      playback_(std::move(setup.playback)), control_policy_(std::move(setup.control_policy)),
      buffering_policy_(std::move(setup.buffering_policy)), ended_(std::move(setup.ended)) {
  for (auto& m : setup.recent) recent_.push_back(std::move(m));
  while (recent_.size() > options_.snapshot_messages) recent_.pop_front();
  if (ended_) {
    ended_frame_ = std::make_shared<const std::string>(endedFrame(last_delivered_seq_, *ended_));
  }
}

std::int64_t RoomCore::nowMs() const { return common::toUnixMillis(clock_.now()); }

std::int64_t RoomCore::takeSeq(Effects& fx) {
  const std::int64_t seq = next_seq_++;
  // Keep a comfortable margin of reserved numbers ahead, so a restart never reuses one.
  if (next_seq_ + options_.seq_block / 2 > reserved_until_) {
    reserved_until_ = next_seq_ + options_.seq_block;
    fx.reserve_seq_floor = reserved_until_;
  }
  return seq;
}

void RoomCore::send(Effects& fx, ConnId to, std::string frame) const {
  fx.sends.emplace_back(to, std::make_shared<const std::string>(std::move(frame)));
}

bool RoomCore::idle() const {
  return conns_.empty() && outbox_.empty() && in_flight_ == 0 && queued_.empty() &&
         !pending_playback_by_;
}

boost::json::array RoomCore::membersJson() const {
  boost::json::array out;
  for (const auto& [principal, state] : members_) {
    out.push_back(memberJson(state.member, state.conns.size()));
  }
  return out;
}

boost::json::object RoomCore::participantJson(const Conn& c) const {
  const auto m = members_.find(c.principal);
  return {{"id", c.participant_id},
          {"member_id", m == members_.end() ? memberIdFor(c.principal) : m->second.member.id},
          {"name", m == members_.end() ? "" : m->second.member.name},
          {"mic", c.mic},
          {"camera", c.camera}};
}

boost::json::array RoomCore::participantsJson() const {
  boost::json::array out;
  for (const auto& [id, c] : conns_) out.push_back(participantJson(c));
  return out;
}

boost::json::array RoomCore::recentJson() const {
  boost::json::array out;
  for (const auto& m : recent_) out.push_back(messageJson(m));
  return out;
}

Effects RoomCore::connect(Connect c) {
  Effects fx;
  if (ended_) {
    // Admission refuses ended rooms; this is the race where the room ended meanwhile.
    fx.sends.emplace_back(c.conn, ended_frame_);
    fx.closes.push_back({c.conn, kCloseRoomEnded, "room_ended"});
    return fx;
  }
  const FrameLimits& l = options_.limits;
  Conn conn{c.participant_id, c.principal, c.is_owner, 0, false, false, {}, {}, 0};
  // A socket may send twice a person's chat budget: the resends of a client that reconnected
  // (acked, never stored twice) must not be refused by the socket before the person's limit.
  const int per_kind[kFrameKinds] = {2 * l.chat_per_10s, l.control_per_10s, l.media_state_per_10s,
                                     l.ping_per_10s,     l.report_per_10s,  l.signal_per_10s,
                                     l.invalid_per_10s};
  for (std::size_t k = 0; k < kFrameKinds; ++k) conn.budgets[k] = FrameBudget(per_kind[k], kTenSeconds);
  conn.frames = FrameBudget(l.frames_per_10s, kTenSeconds);
  conns_[c.conn] = std::move(conn);
  auto [it, is_new] = members_.try_emplace(c.principal, MemberState{c.member, {}});
  it->second.conns.insert(c.conn);
  if (!is_new) it->second.member.name = c.member.name;  // the latest grant name wins

  bool resumed = false;
  std::vector<Frame> replay;
  if (c.resume_from) {
    const std::int64_t from = *c.resume_from;
    if (from == last_delivered_seq_) {
      resumed = true;
    } else if (from < last_delivered_seq_ && !replay_.empty() && from >= replay_.front().first - 1) {
      resumed = true;
      for (const auto& [seq, frame] : replay_) {
        if (seq > from) replay.push_back(frame);
      }
    }
  }
  boost::json::object snapshot{{"room", std::move(c.room)},
                               {"members", membersJson()},
                               {"participants", participantsJson()},
                               {"messages", recentJson()},
                               {"playback", playbackJson(playback_)},
                               {"policy", policyJson()},
                               {"last_seq", last_delivered_seq_}};
  send(fx, c.conn,
       toText({{"type", "hello"},
               {"protocol", kProtocolVersion},
               {"participant_id", c.participant_id},
               {"member_id", c.member.id},
               {"is_owner", c.is_owner},
               {"server_time", nowMs()},
               {"resumed", resumed},
               {"snapshot", std::move(snapshot)}}));
  for (auto& f : replay) fx.sends.emplace_back(c.conn, std::move(f));

  if (is_new) {
    fx.members_entered.push_back({c.principal, it->second.member.name, clock_.now()});
    const std::int64_t seq = takeSeq(fx);
    enqueueReady(seq,
                 toText({{"type", "member.joined"},
                         {"seq", seq},
                         {"member", memberJson(it->second.member, it->second.conns.size())}}),
                 fx);
  }
  const std::int64_t pseq = takeSeq(fx);
  enqueueReady(pseq,
               toText({{"type", "participant.joined"},
                       {"seq", pseq},
                       {"participant", participantJson(conns_.at(c.conn))}}),
               fx);
  return fx;
}

Effects RoomCore::disconnect(ConnId conn) {
  Effects fx;
  auto c = conns_.find(conn);
  if (c == conns_.end()) return fx;
  const std::string principal = c->second.principal;
  const std::string participant_id = c->second.participant_id;
  conns_.erase(c);
  fx.media_leaves.push_back(conn);
  const std::int64_t pseq = takeSeq(fx);
  enqueueReady(pseq,
               toText({{"type", "participant.left"}, {"seq", pseq}, {"participant_id", participant_id}}),
               fx);
  auto m = members_.find(principal);
  if (m == members_.end()) return fx;
  m->second.conns.erase(conn);
  if (!m->second.conns.empty()) return fx;
  const std::string member_id = m->second.member.id;
  fx.members_left.push_back({principal, m->second.member.name, clock_.now()});
  members_.erase(m);
  if (buffering_.erase(member_id) && buffering_.empty() && waiting_since_ms_ && !ended_) {
    serverControl(playback::Action::kPlay, "resume", "", fx);
  }
  fx.now_empty = members_.empty();
  const std::int64_t seq = takeSeq(fx);
  enqueueReady(seq, toText({{"type", "member.left"}, {"seq", seq}, {"member_id", member_id}}),
               fx);
  return fx;
}

void RoomCore::refuse(Effects& fx, ConnId conn, std::string_view message,
                      std::int64_t retry_after_ms, const std::string& id) const {
  boost::json::object o{{"type", "error"},
                        {"code", "rate_limited"},
                        {"message", message},
                        {"retry_after_ms", std::max<std::int64_t>(retry_after_ms, 1)}};
  if (!id.empty()) o["id"] = id;
  send(fx, conn, toText(o));
}

bool RoomCore::admitFrame(ConnId conn, FrameKind kind, const std::string& id, Effects& fx) {
  Conn& c = conns_.at(conn);
  const std::int64_t now = nowMs();
  const unsigned bit = 1u << kind;
  FrameBudget& budget = c.budgets[kind];
  if (budget.take(now)) {
    c.refused &= ~bit;
    return true;
  }
  // Answer a refusal the client can match (an id) or the first of a run; drop the rest quietly,
  // so a flood is not answered with a flood.
  const bool first = (c.refused & bit) == 0;
  c.refused |= bit;
  if (kind == kInvalidKind || (id.empty() && !first)) return false;
  static constexpr std::string_view kWhat[kFrameKinds] = {
      "messages", "playback changes", "camera and microphone updates", "pings", "reports",
      "call messages", "bad frames"};
  std::string message = kind == kChatKind
                            ? "You are sending messages too fast. Wait " +
                                  std::to_string((budget.retryAfterMs() + 999) / 1000) + " s."
                            : "Too many " + std::string(kWhat[kind]) + " at once. Slow down a little.";
  refuse(fx, conn, message, budget.retryAfterMs(), id);
  return false;
}

Effects RoomCore::receive(ConnId conn, std::string_view text) {
  Effects fx;
  auto it = conns_.find(conn);
  if (it == conns_.end()) return fx;
  if (!it->second.frames.take(nowMs())) {
    // Far beyond anything a client sends: cut it off (the frames it queued are not read).
    fx.closes.push_back({conn, 1008, "too many frames"});
    return fx;
  }
  Decoded d = decodeClientFrame(text);
  handle(conn, d, fx);
  return fx;
}

Effects RoomCore::reject(ConnId conn, const FrameError& error) {
  Effects fx;
  auto it = conns_.find(conn);
  if (it == conns_.end()) return fx;
  if (!it->second.frames.take(nowMs())) {
    fx.closes.push_back({conn, 1008, "too many frames"});
    return fx;
  }
  Decoded d = error;
  handle(conn, d, fx);
  return fx;
}

void RoomCore::handle(ConnId conn, Decoded& d, Effects& fx) {
  if (auto* err = std::get_if<FrameError>(&d)) {
    if (admitFrame(conn, kInvalidKind, err->id, fx)) {
      send(fx, conn, errorFrame(err->code, err->message, err->id));
    }
    return;
  }
  if (auto* ping = std::get_if<Ping>(&d)) {
    if (!admitFrame(conn, kPingKind, ping->id, fx)) return;
    boost::json::object pong{{"type", "pong"}, {"t0", ping->t0}, {"server_time", nowMs()}};
    if (!ping->id.empty()) pong["id"] = ping->id;
    send(fx, conn, toText(pong));
    return;
  }
  if (auto* clock = std::get_if<ClockReport>(&d)) {
    if (admitFrame(conn, kReportKind, {}, fx)) {
      conns_.at(conn).rtt_ms = static_cast<std::int64_t>(clock->rtt_ms);
    }
    return;
  }
  // Everything below changes the room: refused once it has ended.
  auto writeId = [&]() -> std::string {
    if (auto* chat = std::get_if<ChatSend>(&d)) return chat->id;
    if (auto* cmd = std::get_if<PlaybackCommand>(&d)) return cmd->id;
    if (auto* policy = std::get_if<PolicyChange>(&d)) return policy->id;
    return {};
  };
  if (ended_) {
    if (admitFrame(conn, kInvalidKind, {}, fx)) {
      send(fx, conn, errorFrame("room_ended", "This watch party has ended.", writeId()));
    }
    return;
  }
  if (auto* chat = std::get_if<ChatSend>(&d)) {
    if (admitFrame(conn, kChatKind, chat->id, fx)) onChat(conn, chat->id, chat->text, fx);
  } else if (auto* cmd = std::get_if<PlaybackCommand>(&d)) {
    if (admitFrame(conn, kControlKind, cmd->id, fx)) onControl(conn, *cmd, fx);
  } else if (auto* buffering = std::get_if<BufferingReport>(&d)) {
    if (admitFrame(conn, kReportKind, {}, fx)) onBuffering(conn, buffering->buffering, fx);
  } else if (auto* policy = std::get_if<PolicyChange>(&d)) {
    if (admitFrame(conn, kControlKind, policy->id, fx)) onPolicy(conn, *policy, fx);
  } else if (auto* state = std::get_if<MediaStateReport>(&d)) {
    if (admitFrame(conn, kMediaStateKind, {}, fx)) onMediaState(conn, *state, fx);
  } else if (auto* signal = std::get_if<MediaSignal>(&d)) {
    if (admitFrame(conn, kSignalKind, {}, fx)) {
      fx.media_signals.push_back({conn, conns_.at(conn).participant_id, std::move(*signal)});
    }
  }
}

Effects RoomCore::end(const RoomEnd& how) {
  Effects fx;
  if (ended_) return fx;
  if (pending_playback_by_) announcePlayback(fx, /*deferred=*/true);  // the last change is kept
  ended_ = how;
  waiting_since_ms_.reset();
  const std::int64_t seq = takeSeq(fx);
  ended_frame_ = std::make_shared<const std::string>(endedFrame(seq, how));
  Outgoing o;
  o.seq = seq;
  o.frame = ended_frame_;
  o.ready = true;
  o.closes_room = true;  // delivered after the chat that is still being stored, then closed
  outbox_.push_back(std::move(o));
  flush(fx);
  return fx;
}

boost::json::object RoomCore::policyJson() const {
  return {{"control", control_policy_}, {"buffering", buffering_policy_}};
}

void RoomCore::enqueueReady(std::int64_t seq, std::string frame, Effects& fx) {
  Outgoing o;
  o.seq = seq;
  o.frame = std::make_shared<const std::string>(std::move(frame));
  o.ready = true;
  outbox_.push_back(std::move(o));
  flush(fx);
}

void RoomCore::flush(Effects& fx) {
  while (!outbox_.empty() && outbox_.front().ready) {
    Outgoing o = std::move(outbox_.front());
    outbox_.pop_front();
    if (o.skip) continue;
    for (const auto& [conn, c] : conns_) fx.sends.emplace_back(conn, o.frame);
    replay_.emplace_back(o.seq, o.frame);
    while (replay_.size() > options_.replay_events) replay_.pop_front();
    last_delivered_seq_ = o.seq;
    if (!o.ack_id.empty()) {
      if (auto m = delivered_.find(o.seq); m != delivered_.end()) {
        for (ConnId to : o.ack_to) ackTo(fx, to, o.ack_id, m->second);
      }
    }
    if (o.closes_room) {
      for (const auto& [conn, c] : conns_) fx.closes.push_back({conn, kCloseRoomEnded, "room_ended"});
    }
  }
}

}  // namespace kino::realtime
