// Every tuning constant of playback sync, in one place. Why these values: docs/design/0003-playback-sync.md.
export const SYNC = {
  /** |drift| at or above this → seek to the live position (Jellyfin SyncPlay seeks from 400 ms). */
  seekThresholdS: 0.4,
  /** |drift| at or above this (and below the seek threshold) → nudge playbackRate. */
  nudgeThresholdS: 0.04,
  /** A nudge ends once |drift| is below this (hysteresis: start at 40 ms, stop at 15 ms). */
  settleS: 0.015,
  /** The largest playbackRate change of a nudge: ±5 % is inaudible for speech and music. */
  maxNudge: 0.05,
  /** A nudge aims to remove the drift over this many seconds (then capped by maxNudge). */
  nudgeHorizonS: 2,
  /** In steady state, at most one new correction per this interval (no audible stutter). */
  minCorrectionIntervalMs: 10_000,
  /** Drift this large is fixed at once even inside the interval (someone really is elsewhere). */
  hardSeekS: 1.0,
  /** After a state change, corrections are allowed at once for this long (not steady state yet). */
  settleWindowMs: 3_000,
  /** Clock sync: samples taken on joining, kept, and the lowest-RTT ones averaged. */
  clockInitialSamples: 8,
  clockKeepSamples: 16,
  clockBestSamples: 3,
  clockIntervalMs: 5_000,
  /** Spacing of the joining burst of pings. */
  clockBurstSpacingMs: 100,
  /** The burst counts as done when its pongs are in, or this long after its last ping. */
  clockBurstTimeoutMs: 1_500,
  /** A new `clock.report` goes out when the best RTT moved by this much (ms, and relative). */
  clockReportChangeMs: 10,
  clockReportChangeRatio: 0.25,
  /**
   * Right after a change takes effect (for settleWindowMs), drift from fineFromS up to the nudge
   * threshold is trimmed too, with a rate change of |drift| / fineHorizonS (at most maxNudge) until it
   * is below fineDoneS: players that start a few tens of ms apart then meet within a second. In steady
   * state the corrector's dead band (nudgeThresholdS) applies as designed.
   */
  fineFromS: 0.01,
  fineDoneS: 0.003,
  fineHorizonS: 0.5,
  /** The drift corrector runs this often (and at each state's at_server_ms). */
  tickMs: 250,
  /** A stall shorter than this is not reported as `playback.buffering` (seeks stall briefly). */
  bufferingDebounceMs: 700,
} as const;
