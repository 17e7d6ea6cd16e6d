#include "kino/realtime/room_core.hpp"

#include <boost/json/serialize.hpp>

#include "kino/common/text.hpp"
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

}  // namespace

RoomCore::RoomCore(RoomSetup setup, const common::Clock& clock, common::RateLimiter& chat_limiter,
                   RoomCoreOptions options)
    : room_id_(setup.room_id), clock_(clock), chat_limiter_(chat_limiter), options_(options),
      next_seq_(std::max(setup.first_free_seq, setup.last_seq + 1)),
      last_delivered_seq_(setup.last_seq), reserved_until_(setup.reserved_until),
      playback_(std::move(setup.playback)), control_policy_(std::move(setup.control_policy)),
      buffering_policy_(std::move(setup.buffering_policy)) {
  for (auto& m : setup.recent) recent_.push_back(std::move(m));
  while (recent_.size() > options_.snapshot_messages) recent_.pop_front();
}

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
  conns_[c.conn] = Conn{c.participant_id, c.principal, c.is_owner, 0};
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
                  {"server_time", common::toUnixMillis(clock_.now())},
                  {"resumed", resumed},
                  {"snapshot", std::move(snapshot)}}));
  for (auto& f : replay) fx.sends.emplace_back(c.conn, std::move(f));

  if (is_new) {
    fx.members_entered = 1;
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
  members_.erase(m);
  if (buffering_.erase(member_id) && buffering_.empty() && waiting_since_ms_) {
    serverControl(playback::Action::kPlay, "resume", "", fx);
  }
  fx.members_left = 1;
  fx.now_empty = members_.empty();
  const std::int64_t seq = takeSeq(fx);
  enqueueReady(seq, toText({{"type", "member.left"}, {"seq", seq}, {"member_id", member_id}}),
               fx);
  return fx;
}

Effects RoomCore::receive(ConnId conn, std::string_view text) {
  Effects fx;
  if (!conns_.contains(conn)) return fx;
  Decoded d = decodeClientFrame(text);
  if (auto* err = std::get_if<FrameError>(&d)) {
    send(fx, conn, errorFrame(err->code, err->message, err->id));
  } else if (auto* ping = std::get_if<Ping>(&d)) {
    boost::json::object pong{{"type", "pong"},
                             {"t0", ping->t0},
                             {"server_time", common::toUnixMillis(clock_.now())}};
    if (!ping->id.empty()) pong["id"] = ping->id;
    send(fx, conn, toText(pong));
  } else if (auto* chat = std::get_if<ChatSend>(&d)) {
    onChat(conn, chat->id, chat->text, fx);
  } else if (auto* cmd = std::get_if<PlaybackCommand>(&d)) {
    onControl(conn, *cmd, fx);
  } else if (auto* clock = std::get_if<ClockReport>(&d)) {
    conns_.at(conn).rtt_ms = static_cast<std::int64_t>(clock->rtt_ms);
  } else if (auto* buffering = std::get_if<BufferingReport>(&d)) {
    onBuffering(conn, buffering->buffering, fx);
  } else if (auto* policy = std::get_if<PolicyChange>(&d)) {
    onPolicy(conn, *policy, fx);
  } else if (auto* state = std::get_if<MediaStateReport>(&d)) {
    onMediaState(conn, *state, fx);
  } else if (auto* signal = std::get_if<MediaSignal>(&d)) {
    fx.media_signals.push_back({conn, conns_.at(conn).participant_id, std::move(*signal)});
  }
  return fx;
}

void RoomCore::onMediaState(ConnId conn, const MediaStateReport& report, Effects& fx) {
  Conn& c = conns_.at(conn);
  if (c.mic == report.mic && c.camera == report.camera) return;
  c.mic = report.mic;
  c.camera = report.camera;
  const std::int64_t seq = takeSeq(fx);
  enqueueReady(seq,
               toText({{"type", "media.state"},
                       {"seq", seq},
                       {"participant_id", c.participant_id},
                       {"mic", c.mic},
                       {"camera", c.camera}}),
               fx);
}

boost::json::object RoomCore::policyJson() const {
  return {{"control", control_policy_}, {"buffering", buffering_policy_}};
}

void RoomCore::publishPlayback(playback::PlaybackState next, const std::string& principal,
                               Effects& fx) {
  playback_ = std::move(next);
  const std::int64_t seq = takeSeq(fx);
  storage::PlaybackEventRecord e;
  e.room_id = room_id_;
  e.seq = seq;
  e.action = playback_.action;
  e.playing = playback_.playing;
  e.position_s = playback_.position_s;
  e.rate = playback_.rate;
  e.volume = playback_.volume;
  e.muted = playback_.muted;
  e.at_server_ms = playback_.at_server_ms;
  e.by_principal = principal;
  e.by_name = playback_.by_name;
  e.created_at = clock_.now();
  fx.persist_playback.push_back(std::move(e));
  enqueueReady(seq, toText({{"type", "playback.state"}, {"seq", seq}, {"state", playbackJson(playback_)}}),
               fx);
}

void RoomCore::onControl(ConnId conn, const PlaybackCommand& cmd, Effects& fx) {
  const Conn& c = conns_.at(conn);
  if (control_policy_ == "host" && !c.is_owner) {
    send(fx, conn,
         errorFrame("not_allowed", "Only the host controls playback in this room.", cmd.id));
    return;
  }
  std::vector<std::int64_t> rtts;
  for (const auto& [id, other] : conns_) rtts.push_back(other.rtt_ms);
  const std::int64_t effective = common::toUnixMillis(clock_.now()) + playback::scheduleLeadMs(rtts);
  const Member& who = members_.at(c.principal).member;
  auto next = playback::applyControl(playback_, cmd.control, effective, who.id, who.name);
  if (!next) {
    send(fx, conn, errorFrame("invalid_control", next.error().message, cmd.id));
    return;
  }
  waiting_since_ms_.reset();  // an explicit action ends any wait_for_all pause
  publishPlayback(std::move(next).value(), c.principal, fx);
}

void RoomCore::serverControl(playback::Action action, const std::string& action_name,
                             const std::string& by_name, Effects& fx) {
  const std::int64_t effective = common::toUnixMillis(clock_.now()) + 100;
  auto next = playback::applyControl(playback_, {action, {}, {}, {}, {}}, effective, "", by_name);
  if (!next) return;
  next->action = action_name;
  waiting_since_ms_ = action == playback::Action::kPause
                          ? std::optional<std::int64_t>(common::toUnixMillis(clock_.now()))
                          : std::nullopt;
  publishPlayback(std::move(next).value(), "", fx);
}

void RoomCore::onBuffering(ConnId conn, bool buffering, Effects& fx) {
  const Member& who = members_.at(conns_.at(conn).principal).member;
  if (buffering) {
    buffering_.insert(who.id);
    if (buffering_policy_ == "wait_for_all" && playback_.playing) {
      serverControl(playback::Action::kPause, "buffering", who.name, fx);
    }
    return;
  }
  buffering_.erase(who.id);
  if (buffering_.empty() && waiting_since_ms_) {
    serverControl(playback::Action::kPlay, "resume", "", fx);
  }
}

void RoomCore::onPolicy(ConnId conn, const PolicyChange& change, Effects& fx) {
  if (!conns_.at(conn).is_owner) {
    send(fx, conn, errorFrame("not_allowed", "Only the host can change the room's rules.", change.id));
    return;
  }
  if (change.control) control_policy_ = *change.control;
  if (change.buffering) buffering_policy_ = *change.buffering;
  fx.persist_policy = std::make_pair(control_policy_, buffering_policy_);
  const std::int64_t seq = takeSeq(fx);
  enqueueReady(seq, toText({{"type", "room.policy"}, {"seq", seq}, {"policy", policyJson()}}), fx);
}

Effects RoomCore::tick() {
  Effects fx;
  if (waiting_since_ms_ &&
      common::toUnixMillis(clock_.now()) - *waiting_since_ms_ >= options_.wait_for_all_max_ms) {
    buffering_.clear();  // whoever is still stalled catches up on their own
    serverControl(playback::Action::kPlay, "resume", "", fx);
  }
  return fx;
}

void RoomCore::onChat(ConnId conn, const std::string& id, const std::string& text, Effects& fx) {
  const Conn& c = conns_.at(conn);
  const MemberState& member = members_.at(c.principal);
  const std::string key = c.principal + "\n" + id;
  if (auto seen = dedupe_.find(key); seen != dedupe_.end()) {
    if (auto done = delivered_.find(seen->second); done != delivered_.end()) {
      ackTo(fx, conn, id, done->second);  // a resend of a delivered message: ack again, no repeat
    } else {
      for (auto& o : outbox_) {
        if (o.seq == seen->second) o.ack_to.push_back(conn);  // still being stored: ack it too
      }
    }
    return;
  }
  const long length = common::utf8Length(text);
  if (length > kMaxChatLength) {
    send(fx, conn,
         errorFrame("message_too_long",
                    "Messages can be at most " + std::to_string(kMaxChatLength) + " characters.",
                    id));
    return;
  }
  if (auto v = common::validateText(text, "text", "Message", {1, 2000, true}); !v) {
    send(fx, conn, errorFrame("invalid_message", v.error().message, id));
    return;
  }
  if (auto d = chat_limiter_.consume(member.member.id); !d.allowed) {
    send(fx, conn,
         errorFrame("rate_limited",
                    "You are sending messages too fast. Wait " +
                        std::to_string(d.retry_after.count()) + " s.",
                    id));
    return;
  }
  const std::int64_t seq = takeSeq(fx);
  queued_.push_back(storage::NewMessage{room_id_, seq, c.principal, member.member.name, id, text,
                                        clock_.now()});
  Outgoing o;
  o.seq = seq;
  o.ack_to.push_back(conn);
  o.ack_id = id;
  o.dedupe_key = key;
  outbox_.push_back(std::move(o));
  remember(key, seq);
  startPersistIfIdle(fx);
}

void RoomCore::remember(const std::string& key, std::int64_t seq) {
  dedupe_[key] = seq;
  dedupe_order_.push_back(key);
  while (dedupe_order_.size() > options_.dedupe_keys) {
    auto old = dedupe_.find(dedupe_order_.front());
    if (old != dedupe_.end()) {
      delivered_.erase(old->second);
      dedupe_.erase(old);
    }
    dedupe_order_.pop_front();
  }
}

void RoomCore::startPersistIfIdle(Effects& fx) {
  if (in_flight_ > 0 || queued_.empty()) return;
  in_flight_ = queued_.size();
  fx.persist = std::move(queued_);
  queued_.clear();
}

void RoomCore::ackTo(Effects& fx, ConnId to, const std::string& id,
                     const storage::MessageRecord& m) const {
  if (!conns_.contains(to)) return;
  send(fx, to,
       toText({{"type", "chat.ack"}, {"id", id}, {"seq", m.seq}, {"message", messageJson(m)}}));
}

Effects RoomCore::persisted(const Result<std::vector<storage::MessageRecord>>& result) {
  Effects fx;
  // The batch is the first `in_flight_` chat entries of the outbox that are not ready yet.
  std::vector<Outgoing*> batch;
  for (auto& o : outbox_) {
    if (batch.size() == in_flight_) break;
    if (!o.ready && !o.ack_id.empty()) batch.push_back(&o);
  }
  in_flight_ = 0;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    Outgoing& o = *batch[i];
    o.ready = true;
    if (!result.ok() || i >= result.value().size()) {
      o.skip = true;
      dedupe_.erase(o.dedupe_key);  // so that the client's retry is accepted
      for (ConnId to : o.ack_to) {
        if (!conns_.contains(to)) continue;
        send(fx, to,
             errorFrame("chat_unavailable",
                        "Your message could not be saved. It is kept here; send it again.",
                        o.ack_id));
      }
      continue;
    }
    const storage::MessageRecord& m = result.value()[i];
    if (m.duplicate) {
      o.skip = true;  // stored before (e.g. sent again after a restart): ack, don't repeat
      dedupe_[o.dedupe_key] = m.seq;
      delivered_[m.seq] = m;
      for (ConnId to : o.ack_to) ackTo(fx, to, o.ack_id, m);
      continue;
    }
    delivered_[m.seq] = m;
    o.frame = std::make_shared<const std::string>(
        toText({{"type", "chat.message"}, {"seq", m.seq}, {"message", messageJson(m)}}));
    recent_.push_back(m);
    while (recent_.size() > options_.snapshot_messages) recent_.pop_front();
  }
  flush(fx);
  startPersistIfIdle(fx);
  return fx;
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
  }
}

}  // namespace kino::realtime
