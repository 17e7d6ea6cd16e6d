// Clock sync over the room socket (docs/protocol.md): on every hello a burst of `ping {id, t0}` (8,
// 100 ms apart), then SYNC.clockFollowupSamples more a second apart (a page that is busy loading reads
// its pongs late, so the burst alone can be off by tens of ms), then one every SYNC.clockIntervalMs;
// each `pong {id, t0, server_time}` feeds ClockSync.
// `clock.report {rtt_ms}` goes out after the burst and whenever the best RTT moves noticeably, so the
// server schedules changes far enough ahead for this member. No React, no DOM.
import type { ClockSync } from './clock_sync';
import { SYNC } from './constants';

export interface ClockPingerOptions {
  clock: ClockSync;
  /** Sends a frame on the socket; false when it is not open. */
  send(frame: Record<string, unknown>): boolean;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  /** The same local clock the ClockSync uses. */
  now(): number;
  /** A sample was taken (readiness or the best RTT may have changed). */
  onSample?(): void;
}

const ID_PREFIX = 'clk-';
const MAX_OUTSTANDING = 64;

export class ClockPinger {
  private seq = 0;
  private readonly outstanding = new Map<string, number>(); // ping id → t0
  private timer: unknown = null;
  private burstLeft = 0;
  private burstPongs = 0;
  private burstDone = true;
  private followupLeft = 0;
  private reportedRtt: number | null = null;

  constructor(private readonly opts: ClockPingerOptions) {}

  /** A new connection (hello): measure again with a burst, then keep sampling. */
  start(): void {
    this.stopTimer();
    this.outstanding.clear();
    this.burstLeft = SYNC.clockInitialSamples;
    this.burstPongs = 0;
    this.burstDone = false;
    this.followupLeft = SYNC.clockFollowupSamples;
    this.burstStep();
  }

  stop(): void {
    this.stopTimer();
    this.outstanding.clear();
  }

  /** Takes a pong that answers one of our pings; false for any other pong (the socket's heartbeat). */
  onPong(id: unknown, serverTime: unknown): boolean {
    const t0 = typeof id === 'string' ? this.outstanding.get(id) : undefined;
    if (t0 === undefined || typeof serverTime !== 'number' || !Number.isFinite(serverTime)) return false;
    this.outstanding.delete(id as string);
    this.opts.clock.addSample(t0, serverTime, this.opts.now());
    if (!this.burstDone) {
      this.burstPongs += 1;
      if (this.burstPongs >= SYNC.clockInitialSamples && this.burstLeft <= 0) this.finishBurst();
    } else {
      this.report(false);
    }
    this.opts.onSample?.();
    return true;
  }

  private stopTimer() {
    if (this.timer !== null) this.opts.clearTimer(this.timer);
    this.timer = null;
  }

  private ping() {
    const id = `${ID_PREFIX}${++this.seq}`;
    const t0 = this.opts.now();
    if (!this.opts.send({ type: 'ping', id, t0 })) return;
    this.outstanding.set(id, t0);
    if (this.outstanding.size > MAX_OUTSTANDING) this.outstanding.delete(this.outstanding.keys().next().value as string);
  }

  private burstStep = () => {
    this.timer = null;
    if (this.burstLeft <= 0) {
      this.timer = this.opts.setTimer(() => this.finishBurst(), SYNC.clockBurstTimeoutMs);
      return;
    }
    this.burstLeft -= 1;
    this.ping();
    this.timer = this.opts.setTimer(this.burstStep, SYNC.clockBurstSpacingMs);
  };

  private finishBurst() {
    if (this.burstDone) return;
    this.stopTimer();
    this.burstDone = true;
    this.report(true);
    this.timer = this.opts.setTimer(this.periodic, this.nextInterval());
  }

  private periodic = () => {
    if (this.followupLeft > 0) this.followupLeft -= 1;
    this.ping();
    this.timer = this.opts.setTimer(this.periodic, this.nextInterval());
  };

  private nextInterval(): number {
    return this.followupLeft > 0 ? SYNC.clockFollowupIntervalMs : SYNC.clockIntervalMs;
  }

  private report(force: boolean) {
    const rtt = this.opts.clock.rttMs;
    if (rtt === null) return;
    if (!force && this.reportedRtt !== null) {
      const change = Math.abs(rtt - this.reportedRtt);
      if (change < Math.max(SYNC.clockReportChangeMs, this.reportedRtt * SYNC.clockReportChangeRatio)) return;
    }
    if (this.opts.send({ type: 'clock.report', rtt_ms: Math.ceil(rtt) })) this.reportedRtt = rtt;
  }
}
