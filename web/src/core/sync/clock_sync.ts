// NTP-style clock synchronisation with the server over the room socket (no React, no DOM).
// A sample: the client sends ping at t0 (its clock), the server answers with server_time, the pong
// arrives at t3. RTT = t3 − t0; offset = server_time − (t0 + t3) / 2. Samples with the lowest RTT
// carry the least queueing noise, so the offset is the mean of the best few of the recent ones — and
// only of those close to the best: a reply that sat in a queue (a page busy loading) is off by up to
// half its extra delay, and averaging it in would spoil a good sample.
import { SYNC } from './constants';

export interface ClockSample {
  rttMs: number;
  offsetMs: number;
}

export class ClockSync {
  private samples: ClockSample[] = [];

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** Records one ping/pong exchange. Samples with a negative RTT (clock jumped) are ignored. */
  addSample(t0: number, serverTimeMs: number, t3: number): void {
    const rtt = t3 - t0;
    if (!(rtt >= 0) || !Number.isFinite(serverTimeMs)) return;
    this.samples.push({ rttMs: rtt, offsetMs: serverTimeMs - (t0 + t3) / 2 });
    if (this.samples.length > SYNC.clockKeepSamples) this.samples.shift();
  }

  get sampleCount(): number {
    return this.samples.length;
  }

  /** True once enough samples were taken to trust the offset. */
  get ready(): boolean {
    return this.samples.length >= SYNC.clockInitialSamples;
  }

  /** server clock − client clock, in ms; 0 before any sample. */
  get offsetMs(): number {
    const best = this.best();
    if (best.length === 0) return 0;
    return best.reduce((sum, s) => sum + s.offsetMs, 0) / best.length;
  }

  /** The lowest round trip seen among the kept samples, or null. */
  get rttMs(): number | null {
    const best = this.best();
    return best[0]?.rttMs ?? null;
  }

  /** The server's clock now, in ms since the epoch. */
  serverNow(): number {
    return this.now() + this.offsetMs;
  }

  private best(): ClockSample[] {
    const sorted = [...this.samples].sort((a, b) => a.rttMs - b.rttMs);
    const first = sorted[0];
    if (!first) return [];
    const limit = first.rttMs + Math.max(SYNC.clockRttSlackMs, first.rttMs * SYNC.clockRttSlackRatio);
    return sorted.slice(0, SYNC.clockBestSamples).filter((s) => s.rttMs <= limit);
  }
}
