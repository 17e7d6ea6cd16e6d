import { describe, expect, it } from 'vitest';
import { ClockSync } from './clock_sync';
import { SYNC } from './constants';

describe('ClockSync', () => {
  it('estimates the offset from the lowest-RTT samples, ignoring queueing noise', () => {
    const sync = new ClockSync(() => 1_000);
    const trueOffset = 5_000; // the server is 5 s ahead
    // Symmetric 20 ms paths, plus noisy samples whose replies sat in a queue on the way back.
    const samples = [
      { t0: 0, oneWayUp: 10, oneWayDown: 10 },
      { t0: 100, oneWayUp: 10, oneWayDown: 300 },
      { t0: 200, oneWayUp: 11, oneWayDown: 9 },
      { t0: 300, oneWayUp: 250, oneWayDown: 10 },
      { t0: 400, oneWayUp: 10, oneWayDown: 10 },
    ];
    for (const s of samples) {
      const serverTime = s.t0 + s.oneWayUp + trueOffset;
      sync.addSample(s.t0, serverTime, s.t0 + s.oneWayUp + s.oneWayDown);
    }
    expect(sync.rttMs).toBe(20);
    expect(Math.abs(sync.offsetMs - trueOffset)).toBeLessThanOrEqual(1);
    expect(sync.serverNow()).toBeCloseTo(1_000 + sync.offsetMs);
  });

  it('is ready after eight samples and ignores impossible ones', () => {
    const sync = new ClockSync(() => 0);
    sync.addSample(10, 100, 5); // negative RTT: the local clock jumped
    expect(sync.sampleCount).toBe(0);
    for (let i = 0; i < 7; i += 1) sync.addSample(i, i + 50, i + 2);
    expect(sync.ready).toBe(false);
    sync.addSample(7, 57, 9);
    expect(sync.ready).toBe(true);
  });

  it('keeps a bounded window of recent samples', () => {
    const sync = new ClockSync(() => 0);
    for (let i = 0; i < 100; i += 1) sync.addSample(i, i + 1000, i + 10);
    expect(sync.sampleCount).toBe(SYNC.clockKeepSamples);
  });

  it('trusts one good sample over several that waited in a queue (a page busy loading)', () => {
    const sync = new ClockSync(() => 0);
    // Eight replies read 60–90 ms late (the offset each says is off by half of that) …
    for (let i = 0; i < 8; i += 1) sync.addSample(i * 100, i * 100 + 1, i * 100 + 2 + 60 + i * 4);
    expect(sync.offsetMs).toBeLessThan(-25);
    // … then one answered at once (RTT 2 ms) and the offset is that one's, not a mean with the others.
    sync.addSample(1_000, 1_001, 1_002);
    expect(sync.rttMs).toBe(2);
    expect(sync.offsetMs).toBe(0);
    // Samples close to the best are averaged.
    sync.addSample(2_000, 2_002, 2_002.4);
    expect(sync.offsetMs).toBeCloseTo(0.4, 6);
  });
});
