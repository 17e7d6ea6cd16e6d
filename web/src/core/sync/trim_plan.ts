// A timed trim: run the element at baseRate × factor for a computed time, then back. Unlike a nudge
// that is ended when the drift reads small, a timed trim does not overshoot by the rate latency (the
// rate change and the change back reach the media clock equally late, so they cancel), and it plans
// in the one-off cost of leaving rate 1 (docs/design/0003-playback-sync.md). No React, no DOM.
import { SYNC } from './constants';

export interface TrimPlan {
  /** playbackRate = baseRate × factor for the trim. */
  factor: number;
  durationMs: number;
  /** Media seconds the rate change itself moves the element (positive: forward). */
  changeS: number;
  /** The one-off cost expected on top (leaving rate 1), in media seconds. */
  costS: number;
  /** Seconds until the drift should be below SYNC.nudgeThresholdS. */
  reachS: number;
}

/** At this rate Chromium plays audio as it is (no time-stretching). */
export const isPassthrough = (rate: number): boolean => Math.abs(rate - 1) < SYNC.passthroughRateSlack;

/**
 * The trim that removes `driftS` (positive: ahead) from an element playing at `baseRate`, as fast as
 * SYNC.maxNudge allows but no shorter than SYNC.minTrimMs; `stretchS` is the learned cost of leaving
 * rate 1 (negative: the element falls behind once).
 */
export function planTrim(driftS: number, baseRate: number, stretchS: number): TrimPlan {
  const costS = isPassthrough(baseRate) ? stretchS : 0;
  const need = -driftS - costS; // what the rate change itself has to do
  const minS = SYNC.minTrimMs / 1000;
  let delta = Math.min(SYNC.maxNudge, Math.abs(need) / (baseRate * minS));
  // Leaving 1 by less than the slack would not time-stretch, and the planned cost would not come.
  if (costS !== 0) delta = Math.max(delta, 2 * SYNC.passthroughRateSlack);
  const durationS = Math.max(minS, delta > 0 ? Math.abs(need) / (baseRate * delta) : 0);
  const factor = 1 + (need < 0 ? -delta : delta);
  const changeS = (factor - 1) * baseRate * durationS;
  // The cost lands first (within the rate latency), then the rate closes the rest.
  const afterCost = Math.abs(driftS + costS);
  const latencyS = SYNC.rateLatencyMs / 1000;
  const reachS = afterCost <= SYNC.nudgeThresholdS ? latencyS : latencyS + (afterCost - SYNC.nudgeThresholdS) / (baseRate * Math.max(delta, 1e-9));
  return { factor, durationMs: durationS * 1000, changeS, costS, reachS };
}
