#include "kino/playback/playback_state.hpp"

#include <algorithm>
#include <cmath>

namespace kino::playback {
namespace {

Error invalid(std::string field, std::string message) {
  return Error::make(ErrorKind::kInvalid, "invalid_control", std::move(message), std::move(field));
}

}  // namespace

double positionAt(const PlaybackState& s, std::int64_t t_ms) {
  if (!s.playing || t_ms <= s.at_server_ms) return s.position_s;
  return s.position_s + static_cast<double>(t_ms - s.at_server_ms) / 1000.0 * s.rate;
}

std::optional<Action> parseAction(std::string_view name) {
  for (Action a : {Action::kPlay, Action::kPause, Action::kSeek, Action::kRate, Action::kVolume,
                   Action::kMute}) {
    if (actionName(a) == name) return a;
  }
  return std::nullopt;
}

std::string_view actionName(Action a) {
  switch (a) {
    case Action::kPlay: return "play";
    case Action::kPause: return "pause";
    case Action::kSeek: return "seek";
    case Action::kRate: return "rate";
    case Action::kVolume: return "volume";
    case Action::kMute: return "mute";
  }
  return "play";
}

Result<PlaybackState> applyControl(const PlaybackState& current, const Control& c,
                                   std::int64_t effective_ms, std::string by_id,
                                   std::string by_name) {
  if (c.position_s && (!std::isfinite(*c.position_s) || *c.position_s < 0)) {
    return invalid("position_s", "The position must be a number of seconds from 0.");
  }
  PlaybackState next = current;
  // Whatever changes, the clock of the state moves to the moment the change takes effect.
  next.position_s = positionAt(current, effective_ms);
  next.at_server_ms = effective_ms;
  switch (c.action) {
    case Action::kPlay:
      if (c.position_s) next.position_s = *c.position_s;
      next.playing = true;
      break;
    case Action::kPause:
      if (c.position_s) next.position_s = *c.position_s;
      next.playing = false;
      break;
    case Action::kSeek:
      if (!c.position_s) return invalid("position_s", "A seek needs a position.");
      next.position_s = *c.position_s;
      break;
    case Action::kRate:
      if (!c.rate || !std::isfinite(*c.rate) || *c.rate < 0.25 || *c.rate > 4) {
        return invalid("rate", "The speed must be between 0.25 and 4.");
      }
      next.rate = *c.rate;
      break;
    case Action::kVolume:
      if (!c.volume || !std::isfinite(*c.volume) || *c.volume < 0 || *c.volume > 1) {
        return invalid("volume", "The volume must be between 0 and 1.");
      }
      next.volume = *c.volume;
      break;
    case Action::kMute:
      if (!c.muted) return invalid("muted", "mute needs \"muted\": true or false.");
      next.muted = *c.muted;
      break;
  }
  next.action = std::string(actionName(c.action));
  next.by_id = std::move(by_id);
  next.by_name = std::move(by_name);
  return next;
}

std::int64_t scheduleLeadMs(const std::vector<std::int64_t>& rtts, std::int64_t margin_ms,
                            std::int64_t min_ms, std::int64_t max_ms) {
  std::int64_t worst = 0;
  for (auto r : rtts) worst = std::max(worst, r);
  return std::clamp(worst / 2 + margin_ms, min_ms, max_ms);
}

}  // namespace kino::playback
