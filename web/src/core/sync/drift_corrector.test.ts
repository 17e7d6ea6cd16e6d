import { describe, expect, it } from 'vitest';
import { SYNC } from './constants';
import { DriftCorrector, expectedPosition, type MediaLike, type SharedPlayback } from './drift_corrector';

/** A media element on a fake clock: plays at playbackRate × (1 + skew), like a real decoder. */
class FakeMedia implements MediaLike {
  currentTime = 0;
  playbackRate = 1;
  paused = true;
  seeks = 0;
  constructor(private readonly skew = 0) {}
  play() {
    this.paused = false;
  }
  pause() {
    this.paused = true;
  }
  advance(ms: number) {
    if (!this.paused) this.currentTime += (ms / 1000) * this.playbackRate * (1 + this.skew);
  }
}

function harness(skew = 0) {
  let now = 1_000_000;
  const media = new FakeMedia(skew);
  const corrector = new DriftCorrector(media, () => now, () => now);
  const start = (state: SharedPlayback) => {
    corrector.setState(state);
    corrector.tick(); // the state takes effect now: the element starts playing before time moves
  };
  const step = (ms: number) => {
    for (let t = 0; t < ms; t += 250) {
      now += 250;
      media.advance(250);
      corrector.tick();
    }
  };
  return { media, corrector, step, start, now: () => now };
}

const playing = (position: number, at: number, rate = 1): SharedPlayback => ({
  status: 'playing', position_s: position, rate, at_server_ms: at,
});

describe('expectedPosition', () => {
  it('advances at the rate while playing, holds while paused', () => {
    expect(expectedPosition(playing(10, 0), 2_500)).toBe(12.5);
    expect(expectedPosition(playing(10, 0, 2), 1_000)).toBe(12);
    expect(expectedPosition({ ...playing(10, 0), status: 'paused' }, 9_999)).toBe(10);
  });
});

describe('DriftCorrector', () => {
  it('applies a state at its server instant, not before', () => {
    const h = harness();
    const delay = h.corrector.setState(playing(30, h.now() + 200));
    expect(delay).toBe(200);
    expect(h.corrector.tick().kind).toBe('none');
    expect(h.media.paused).toBe(true);
    h.step(250);
    expect(h.media.paused).toBe(false);
    expect(Math.abs(h.media.currentTime - 30.05)).toBeLessThan(0.3);
  });

  it('seeks for large drift', () => {
    const h = harness();
    h.start(playing(0, h.now()));
    h.step(1_000);
    h.media.currentTime += 2; // someone elsewhere
    const c = h.corrector.tick();
    expect(c.kind).toBe('seek');
    expect(Math.abs(h.corrector.drift()!)).toBeLessThan(0.01);
  });

  it('nudges medium drift with a gentle rate and settles with hysteresis', () => {
    const h = harness();
    h.start(playing(0, h.now()));
    h.step(500);
    h.media.currentTime += 0.12; // 120 ms ahead
    const c = h.corrector.tick();
    expect(c.kind).toBe('nudge');
    expect(h.media.playbackRate).toBeLessThan(1);
    expect(h.media.playbackRate).toBeGreaterThanOrEqual(1 - SYNC.maxNudge);
    h.step(8_000);
    expect(Math.abs(h.corrector.drift()!)).toBeLessThan(SYNC.nudgeThresholdS);
    expect(h.media.playbackRate).toBe(1);
    expect(h.corrector.stats.seeks).toBe(0);
  });

  it('leaves tiny drift alone', () => {
    const h = harness();
    h.start(playing(0, h.now()));
    h.step(500);
    h.media.currentTime += 0.02;
    expect(h.corrector.tick().kind).toBe('none');
    expect(h.media.playbackRate).toBe(1);
  });

  it('while its caller converges, applies the state and seeks large drift but leaves the rest', () => {
    const h = harness();
    h.start(playing(0, h.now(), 1.25));
    h.step(500);
    h.media.currentTime += 0.12;
    expect(h.corrector.tick(true).kind).toBe('none');
    expect(h.media.playbackRate).toBe(1.25);
    h.media.currentTime += 1;
    expect(h.corrector.tick(true).kind).toBe('seek');
    h.corrector.setState({ status: 'paused', position_s: 3, rate: 1.25, at_server_ms: h.now() });
    h.corrector.tick(true);
    expect(h.media.paused).toBe(true);
    expect(h.media.currentTime).toBe(3);
  });

  it('pauses and holds the paused position', () => {
    const h = harness();
    h.start(playing(0, h.now()));
    h.step(2_000);
    h.corrector.setState({ status: 'paused', position_s: 1.5, rate: 1, at_server_ms: h.now() });
    h.corrector.tick();
    expect(h.media.paused).toBe(true);
    expect(h.media.currentTime).toBeCloseTo(1.5, 3);
  });

  it('in steady state makes at most one correction per 10 s and stays within 40 ms', () => {
    const h = harness(0.004); // a decoder running 0.4 % fast
    h.start(playing(0, h.now()));
    h.step(SYNC.settleWindowMs);
    const before = h.corrector.stats.nudges + h.corrector.stats.seeks;
    let worst = 0;
    for (let s = 0; s < 120; s += 1) {
      h.step(1_000);
      worst = Math.max(worst, Math.abs(h.corrector.drift()!));
    }
    const corrections = h.corrector.stats.nudges + h.corrector.stats.seeks - before;
    expect(corrections).toBeGreaterThan(0); // it does correct…
    expect(corrections).toBeLessThanOrEqual(120 / 10); // …but never more than once per 10 s
    expect(h.corrector.stats.seeks).toBe(0);
    expect(worst).toBeLessThan(0.08);
  });
});
