#pragma once
// The shared playback state of a room and the rules that change it. Pure: no clock of its own, no
// I/O; the room actor passes server times in. The server is the authority: every client computes the
// position from this state and its synchronised clock (docs/design/0003-playback-sync.md).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kino/common/result.hpp"

namespace kino::playback {

struct PlaybackState {
  bool playing = false;
  double position_s = 0;      // the position at `at_server_ms`
  double rate = 1;
  std::int64_t at_server_ms = 0;  // server time (ms since epoch) at which the state takes effect
  double volume = 1;          // shared room volume 0–1
  bool muted = false;
  std::string action;         // what made this state: play, pause, seek, rate, volume, mute, …
  std::string by_id;          // member id of who did it ("" for the server itself)
  std::string by_name;
};

// The position at server time `t_ms`: advancing at `rate` while playing (and before at_server_ms,
// the old position holds: callers use it only for t ≥ at_server_ms).
double positionAt(const PlaybackState& s, std::int64_t t_ms);

enum class Action { kPlay, kPause, kSeek, kRate, kVolume, kMute };

struct Control {
  Action action = Action::kPlay;
  std::optional<double> position_s;  // seek (required), play/pause (optional: where to start/stop)
  std::optional<double> rate;        // rate (0.25–4)
  std::optional<double> volume;      // volume (0–1)
  std::optional<bool> muted;         // mute
};

// Parses an action name ("play", "pause", "seek", "rate", "volume", "mute").
std::optional<Action> parseAction(std::string_view name);
std::string_view actionName(Action a);

// The state after `control`, taking effect at server time `effective_ms`. kInvalid for a missing or
// out-of-range value (position < 0 or not finite, rate outside 0.25–4, volume outside 0–1).
Result<PlaybackState> applyControl(const PlaybackState& current, const Control& control,
                                   std::int64_t effective_ms, std::string by_id,
                                   std::string by_name);

// How far ahead of "now" a change is scheduled so that every member can apply it at the same
// instant: the slowest member's one-way delay (rtt/2) plus a margin, bounded to [min_ms, max_ms].
std::int64_t scheduleLeadMs(const std::vector<std::int64_t>& member_rtts_ms,
                            std::int64_t margin_ms = 150, std::int64_t min_ms = 150,
                            std::int64_t max_ms = 500);

}  // namespace kino::playback
