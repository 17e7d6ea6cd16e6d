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
} as const;
