// RoomCore's shared playback (controls, coalescing, buffering policies) and call state.
#include <boost/json/serialize.hpp>

#include "kino/realtime/protocol.hpp"
#include "kino/realtime/room_core.hpp"

namespace kino::realtime {
namespace {

std::string toText(const boost::json::object& o) { return boost::json::serialize(o); }

std::int64_t toMs(std::chrono::seconds s) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(s).count();
}

}  // namespace

void RoomCore::onMediaState(ConnId conn, const MediaStateReport& report, Effects& fx) {
  Conn& c = conns_.at(conn);
  if (c.mic == report.mic && c.camera == report.camera) return;
  const std::string& member_id = members_.at(c.principal).member.id;
  if (auto d = people_.media_state.consume(member_id); !d.allowed) {
    refuse(fx, conn, "You are switching your camera or microphone too fast. Slow down a little.",
           toMs(d.retry_after), {});
    return;
  }
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

void RoomCore::publishPlayback(playback::PlaybackState next, const std::string& principal,
                               Effects& fx) {
  playback_ = std::move(next);
  pending_playback_by_ = principal;
  const std::int64_t due = last_playback_ms_ + options_.limits.control_coalesce_ms;
  if (nowMs() >= due) {
    announcePlayback(fx, /*deferred=*/false);
  } else {
    fx.wake_at_ms = due;  // tick() announces whatever the state is by then
  }
}

void RoomCore::announcePlayback(Effects& fx, bool deferred) {
  if (!pending_playback_by_) return;
  const std::string principal = std::move(*pending_playback_by_);
  pending_playback_by_.reset();
  const std::int64_t now = nowMs();
  if (deferred) {
    // The change waited for the coalescing window: move its anchor to an instant everyone can
    // still meet. The timeline is the same (a playing state's position moves with its anchor).
    std::vector<std::int64_t> rtts;
    for (const auto& [id, c] : conns_) rtts.push_back(c.rtt_ms);
    const std::int64_t earliest = now + playback::scheduleLeadMs(rtts);
    if (playback_.at_server_ms < earliest) {
      if (playback_.playing) {
        playback_.position_s +=
            static_cast<double>(earliest - playback_.at_server_ms) / 1000.0 * playback_.rate;
      }
      playback_.at_server_ms = earliest;
    }
  }
  last_playback_ms_ = now;
  room_playback_times_.push_back(now);
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
  enqueueReady(seq,
               toText({{"type", "playback.state"}, {"seq", seq}, {"state", playbackJson(playback_)}}),
               fx);
}

void RoomCore::onControl(ConnId conn, const PlaybackCommand& cmd, Effects& fx) {
  const Conn& c = conns_.at(conn);
  if (control_policy_ == "host" && !c.is_owner) {
    send(fx, conn,
         errorFrame("not_allowed", "Only the host controls playback in this room.", cmd.id));
    return;
  }
  const Member& who = members_.at(c.principal).member;
  if (auto d = people_.control.consume(who.id); !d.allowed) {
    refuse(fx, conn, "You are changing playback too fast. Wait a moment.", toMs(d.retry_after),
           cmd.id);
    return;
  }
  // The room as a whole announces (and stores) a bounded number of changes per minute.
  const std::int64_t now = nowMs();
  while (!room_playback_times_.empty() && room_playback_times_.front() <= now - 60'000) {
    room_playback_times_.pop_front();
  }
  if (static_cast<int>(room_playback_times_.size()) >= options_.limits.room_playback_per_min) {
    refuse(fx, conn, "Playback is changing too often in this room. Wait a moment.",
           room_playback_times_.front() + 60'000 - now, cmd.id);
    return;
  }
  std::vector<std::int64_t> rtts;
  for (const auto& [id, other] : conns_) rtts.push_back(other.rtt_ms);
  const std::int64_t effective = now + playback::scheduleLeadMs(rtts);
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
  const std::int64_t effective = nowMs() + 100;
  auto next = playback::applyControl(playback_, {action, {}, {}, {}, {}}, effective, "", by_name);
  if (!next) return;
  next->action = action_name;
  waiting_since_ms_ = action == playback::Action::kPause ? std::optional<std::int64_t>(nowMs())
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
  const Conn& c = conns_.at(conn);
  if (!c.is_owner) {
    send(fx, conn, errorFrame("not_allowed", "Only the host can change the room's rules.", change.id));
    return;
  }
  if (auto d = people_.control.consume(members_.at(c.principal).member.id); !d.allowed) {
    refuse(fx, conn, "You are changing the room's rules too fast. Wait a moment.",
           toMs(d.retry_after), change.id);
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
  if (pending_playback_by_) {
    const std::int64_t due = last_playback_ms_ + options_.limits.control_coalesce_ms;
    if (nowMs() >= due) {
      announcePlayback(fx, /*deferred=*/true);
    } else {
      fx.wake_at_ms = due;
    }
  }
  if (waiting_since_ms_ && nowMs() - *waiting_since_ms_ >= options_.wait_for_all_max_ms) {
    buffering_.clear();  // whoever is still stalled catches up on their own
    serverControl(playback::Action::kPlay, "resume", "", fx);
  }
  return fx;
}

}  // namespace kino::realtime
