// Keeps one media element on the room's shared playback state (no React, no DOM types needed).
// The server's state says where the video is at a server instant; with the synchronised clock the
// corrector compares the element with that position and corrects: a seek for large drift, a gentle
// playbackRate nudge for medium drift (with hysteresis), nothing for tiny drift. In steady state it
// starts at most one correction per SYNC.minCorrectionIntervalMs. Right after a change its caller may
// take over everything below the seek threshold (`converging`, see media_follower.ts).
import { SYNC } from './constants';

/** The parts of HTMLMediaElement the corrector uses (a fake in tests). */
export interface MediaLike {
  currentTime: number;
  playbackRate: number;
  readonly paused: boolean;
  play(): Promise<void> | void;
  pause(): void;
}

export interface SharedPlayback {
  status: 'playing' | 'paused';
  position_s: number;
  rate: number;
  at_server_ms: number;
}

/** Where the video should be at server time `serverNowMs`. */
export function expectedPosition(state: SharedPlayback, serverNowMs: number): number {
  if (state.status !== 'playing' || serverNowMs <= state.at_server_ms) return state.position_s;
  return state.position_s + ((serverNowMs - state.at_server_ms) / 1000) * state.rate;
}

export type Correction =
  | { kind: 'seek'; driftS: number; to: number }
  | { kind: 'nudge'; driftS: number; rate: number }
  | { kind: 'settled'; driftS: number }
  | { kind: 'none'; driftS: number };

export interface CorrectorStats {
  seeks: number;
  nudges: number;
}

export class DriftCorrector {
  private state: SharedPlayback | null = null;
  private nudging = false;
  private lastCorrectionMs = -Infinity;
  private stateAppliedMs = -Infinity;
  readonly stats: CorrectorStats = { seeks: 0, nudges: 0 };

  constructor(
    private readonly media: MediaLike,
    private readonly serverNow: () => number,
    private readonly localNow: () => number = () => Date.now(),
  ) {}

  /** The state to follow. Returns ms until it takes effect (the caller calls tick() then). */
  setState(state: SharedPlayback): number {
    this.state = state;
    return Math.max(0, state.at_server_ms - this.serverNow());
  }

  /** The signed drift in seconds (positive: this player is ahead), or null without a state. */
  drift(): number | null {
    if (!this.state) return null;
    return this.media.currentTime - expectedPosition(this.state, this.serverNow());
  }

  /**
   * Brings the element in line with the state; call every ~250 ms and when a state takes effect.
   * Before at_server_ms a new state is not applied yet (everyone switches at the same instant).
   * With `converging` it applies the state (play/pause, rate) and seeks for large drift, but leaves
   * medium and small drift to the caller.
   */
  tick(converging = false): Correction {
    const state = this.state;
    if (!state) return { kind: 'none', driftS: 0 };
    const now = this.serverNow();
    if (now < state.at_server_ms) return { kind: 'none', driftS: 0 };
    const local = this.localNow();
    if (this.stateAppliedMs < 0 || this.applied !== state) {
      this.applied = state;
      this.stateAppliedMs = local;
      this.endNudge();
    }
    const expected = expectedPosition(state, now);
    const driftS = this.media.currentTime - expected;

    if (state.status === 'paused') {
      if (!this.media.paused) this.media.pause();
      if (Math.abs(driftS) >= SYNC.nudgeThresholdS) return this.seek(expected, driftS, local);
      return { kind: 'none', driftS };
    }
    if (this.media.paused) void this.media.play();
    if (converging && this.nudging) this.endNudge();

    const settling = local - this.stateAppliedMs < SYNC.settleWindowMs;
    const mayCorrect = settling || local - this.lastCorrectionMs >= SYNC.minCorrectionIntervalMs;
    const abs = Math.abs(driftS);
    if (abs >= SYNC.hardSeekS || (abs >= SYNC.seekThresholdS && mayCorrect)) {
      return this.seek(expected, driftS, local);
    }
    if (converging) {
      if (this.media.playbackRate !== state.rate) this.media.playbackRate = state.rate;
      return { kind: 'none', driftS };
    }
    if (this.nudging) {
      if (abs < SYNC.settleS || Math.sign(driftS) !== this.nudgeSign) {
        this.endNudge();
        return { kind: 'settled', driftS };
      }
      return { kind: 'nudge', driftS, rate: this.media.playbackRate };
    }
    if (abs >= SYNC.nudgeThresholdS && mayCorrect) {
      const change = Math.min(SYNC.maxNudge, abs / SYNC.nudgeHorizonS);
      const rate = state.rate * (driftS > 0 ? 1 - change : 1 + change);
      this.media.playbackRate = rate;
      this.nudging = true;
      this.nudgeSign = Math.sign(driftS);
      this.lastCorrectionMs = local;
      this.stats.nudges += 1;
      return { kind: 'nudge', driftS, rate };
    }
    if (this.media.playbackRate !== state.rate) this.media.playbackRate = state.rate;
    return { kind: 'none', driftS };
  }

  private applied: SharedPlayback | null = null;
  private nudgeSign = 0;

  private seek(to: number, driftS: number, local: number): Correction {
    this.media.currentTime = to;
    this.endNudge();
    this.lastCorrectionMs = local;
    this.stats.seeks += 1;
    return { kind: 'seek', driftS, to };
  }

  private endNudge(): void {
    this.nudging = false;
    if (this.state) this.media.playbackRate = this.state.rate;
  }
}
