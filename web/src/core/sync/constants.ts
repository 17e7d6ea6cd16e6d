// Every tuning constant of playback sync, in one place. Why these values: docs/design/0003-playback-sync.md.
export const SYNC = {
  // --- Steady state (DriftCorrector): inaudible, rare corrections ---
  /** |drift| at or above this → seek to the live position (Jellyfin SyncPlay seeks from 400 ms). */
  seekThresholdS: 0.4,
  /** |drift| at or above this (and below the seek threshold) → nudge playbackRate. */
  nudgeThresholdS: 0.04,
  /** A nudge ends once |drift| is below this (hysteresis: start at 40 ms, stop at 15 ms). */
  settleS: 0.015,
  /** The largest playbackRate change of a nudge or trim: ±5 % is inaudible for speech and music. */
  maxNudge: 0.05,
  /** A nudge aims to remove the drift over this many seconds (then capped by maxNudge). */
  nudgeHorizonS: 2,
  /** In steady state, at most one new correction per this interval (no audible stutter). */
  minCorrectionIntervalMs: 10_000,
  /** Drift this large is fixed at once even inside the interval (someone really is elsewhere). */
  hardSeekS: 1.0,
  /** The drift corrector runs this often in steady state (and at each state's at_server_ms). */
  tickMs: 250,

  // --- Converging: the first seconds after a change (MediaFollower) ---
  /**
   * For this long from a change's instant the player converges with its own, faster rules instead of
   * the steady-state ones: the start or landing is measured as soon as the element moves, and the
   * miss removed with one timed trim (or a seek when a trim would take too long).
   */
  settleWindowMs: 3_000,
  /** While converging the follower looks this often (a start miss is seen ~100 ms after it happens). */
  convergeTickMs: 50,
  /** While converging, a miss this large (or larger) is trimmed away; smaller ones are left. */
  trimFromS: 0.008,
  /**
   * The same at a time-stretched rate (≠ 1): the media clock then advances in steps of the stretch
   * window and reads ±10 ms around the true position, which is not worth chasing.
   */
  trimFromStretchedS: 0.015,
  /**
   * A miss that a ±maxNudge trim cannot bring within nudgeThresholdS in this long is removed with a
   * seek instead (a seek costs ~100 ms of stall but lands within a few tens of ms).
   */
  convergeBudgetS: 0.7,
  /** Seeks while converging after one change, at most (a seek that keeps missing is not repeated). */
  convergeSeeks: 2,
  /**
   * An element that stood still this long while it should play (no data, a busy machine) is no longer
   * in steady state: it is not nudged meanwhile, and once it moves again it converges as after a change.
   */
  stallMs: 200,
  /** A trim lasts at least this long (shorter rate changes are not applied reliably by the decoder). */
  minTrimMs: 250,
  /**
   * A playbackRate change reaches the media clock this much later (Chromium: 60–100 ms; the audio
   * already queued plays at the old rate). After a trim the follower waits this long before it
   * judges again, and a scheduled speed change is applied this much before its instant.
   */
  rateLatencyMs: 90,
  /** Within this of 1, Chromium plays audio as it is; further away it time-stretches (WSOLA). */
  passthroughRateSlack: 0.001,
  /**
   * A play() within this long of the pause (and no seek since) is a warm resume: the pipeline is
   * still running and the element moves almost at once. Later, or after a seek, it starts cold.
   */
  warmResumeMs: 5_000,

  // --- Clock sync ---
  /** Samples taken on joining (the burst); the offset is trusted after this many. */
  clockInitialSamples: 8,
  /** Samples kept; the offset is the mean of the best few (lowest RTT) among them. */
  clockKeepSamples: 24,
  clockBestSamples: 3,
  /** Only samples within this of the best RTT count (ms, and relative to it): queued replies lie. */
  clockRttSlackMs: 1,
  clockRttSlackRatio: 0.25,
  /** After the burst, this many pings clockFollowupIntervalMs apart (a page busy loading answers late). */
  clockFollowupSamples: 15,
  clockFollowupIntervalMs: 1_000,
  /** Then one ping per this interval. */
  clockIntervalMs: 5_000,
  /** Spacing of the joining burst of pings. */
  clockBurstSpacingMs: 100,
  /** The burst counts as done when its pongs are in, or this long after its last ping. */
  clockBurstTimeoutMs: 1_500,
  /** A new `clock.report` goes out when the best RTT moved by this much (ms, and relative). */
  clockReportChangeMs: 10,
  clockReportChangeRatio: 0.25,

  /** A stall shorter than this is not reported as `playback.buffering` (seeks stall briefly). */
  bufferingDebounceMs: 700,
} as const;
