import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SYNC } from './constants';
import { DEFAULT_LEADS } from './start_leads';
import { createPlaybackSession, PERSONAL_VOLUME_KEY, type FrameChannel, type PlaybackState, type PlayerMedia } from './playback_session';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(1_000_000);
});
afterEach(() => vi.useRealTimers());

/** The server is this far ahead of the client's clock. */
const OFFSET = 5_000;
const serverNow = () => Date.now() + OFFSET;

type Frame = Record<string, unknown> & { type: string };

function fakeChannel() {
  const sent: Record<string, unknown>[] = [];
  let listener: ((f: Frame) => void) | null = null;
  let open = true;
  const channel: FrameChannel = {
    sendFrame(f) {
      if (!open) return false;
      sent.push(f);
      return true;
    },
    onFrame(l) {
      listener = l;
      return () => {
        listener = null;
      };
    },
  };
  return {
    channel,
    sent,
    of: (type: string) => sent.filter((f) => f.type === type),
    frame: (f: Frame) => listener?.(f),
    setOpen: (v: boolean) => void (open = v),
    get subscribed() {
      return listener !== null;
    },
  };
}

/**
 * A media element on the fake clock; events are dispatched by the test. Like a real one it can take a
 * while to move after play() (startLatencyMs) and to land after a seek while playing (seekLatencyMs);
 * a playbackRate change reaches its clock rateLatencyMs later, and leaving rate 1 sets it back by
 * stretchCostS once (Chromium's time-stretching).
 */
class FakeMedia implements PlayerMedia {
  paused = true;
  volume = 1;
  muted = false;
  readyState = 4;
  duration = 600;
  seeking = false;
  ended = false;
  plays = 0;
  startLatencyMs = 0;
  seekLatencyMs = 0;
  rateLatencyMs = 0;
  stretchCostS = 0;
  /** Every playbackRate set, for checks. */
  rates: number[] = [];
  playResult: () => Promise<void> = () => Promise.resolve();
  /** The decoder stands still (starved) while this is set. */
  frozen = false;
  private time = 0;
  private rate = 1;
  private clockRate = 1;
  private pendingRates: { in: number; rate: number }[] = [];
  private startIn = 0;
  private seekIn = 0;
  private listeners = new Map<string, Set<() => void>>();
  get currentTime() {
    return this.time;
  }
  get playbackRate() {
    return this.rate;
  }
  set playbackRate(v: number) {
    this.rate = v;
    this.rates.push(v);
    if (this.rateLatencyMs > 0) this.pendingRates.push({ in: this.rateLatencyMs, rate: v });
    else this.applyRate(v);
  }
  private applyRate(v: number) {
    const passthrough = (r: number) => Math.abs(r - 1) < 0.001;
    if (passthrough(this.clockRate) && !passthrough(v)) this.time += this.stretchCostS;
    this.clockRate = v;
  }
  set currentTime(v: number) {
    this.time = v;
    if (this.seekLatencyMs > 0 && !this.paused) {
      this.seeking = true;
      this.seekIn = this.seekLatencyMs;
    }
  }
  play() {
    this.plays += 1;
    if (this.paused) this.startIn = this.startLatencyMs;
    const p = this.playResult();
    p.then(() => void (this.paused = false), () => {});
    this.paused = false;
    return p;
  }
  pause() {
    this.paused = true;
  }
  /** The decoder's clock moves on by `ms`. */
  advance(ms: number, skew = 0) {
    for (const p of this.pendingRates) p.in -= ms;
    while (this.pendingRates[0] && this.pendingRates[0].in <= 0) this.applyRate(this.pendingRates.shift()!.rate);
    if (this.paused || this.frozen) return;
    if (this.seekIn > 0) {
      this.seekIn -= ms;
      if (this.seekIn <= 0) {
        this.seeking = false;
        this.emit('seeked');
      }
      return;
    }
    if (this.seeking) return;
    if (this.startIn > 0) {
      this.startIn -= ms;
      return;
    }
    this.time += (ms / 1000) * this.clockRate * (1 + skew);
  }
  addEventListener(type: string, fn: () => void) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(fn);
  }
  removeEventListener(type: string, fn: () => void) {
    this.listeners.get(type)?.delete(fn);
  }
  emit(type: string) {
    for (const fn of [...(this.listeners.get(type) ?? [])]) fn();
  }
  listenerCount() {
    let n = 0;
    for (const s of this.listeners.values()) n += s.size;
    return n;
  }
}

const state = (patch: Partial<PlaybackState> = {}): PlaybackState => ({
  status: 'paused',
  position_s: 0,
  rate: 1,
  at_server_ms: serverNow(),
  volume: 1,
  muted: false,
  action: 'pause',
  by: { id: 'u1', name: 'Anna' },
  ...patch,
});

function hello(playback: PlaybackState = state(), extra: Record<string, unknown> = {}): Frame {
  return {
    type: 'hello',
    protocol: 1,
    member_id: 'u1',
    is_owner: true,
    server_time: serverNow(),
    resumed: false,
    snapshot: { playback, policy: { control: 'everyone', buffering: 'catch_up' }, last_seq: 1 },
    ...extra,
  };
}

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), data };
}

function setup(opts: { storage?: ReturnType<typeof memoryStorage> } = {}) {
  const ch = fakeChannel();
  let ids = 0;
  const session = createPlaybackSession({ channel: ch.channel, now: () => Date.now(), storage: opts.storage ?? null, newId: () => `id-${++ids}` });
  /** Answers every unanswered ping after `rttMs` (the server stamps the middle of the trip). */
  const answered = new Set<unknown>();
  const answerPings = (rttMs: number) => {
    for (const p of ch.of('ping')) {
      if (answered.has(p.id)) continue;
      answered.add(p.id);
      const t0 = p.t0 as number;
      vi.setSystemTime(t0 + rttMs);
      ch.frame({ type: 'pong', id: p.id as string, t0, server_time: t0 + OFFSET + rttMs / 2 });
    }
  };
  return { ch, session, answerPings };
}

/** Advances the fake clock in small steps, moving the media along like a decoder. */
function run(ms: number, media?: FakeMedia, skew = 0) {
  const step = 10;
  for (let t = 0; t < ms; t += step) {
    media?.advance(step, skew);
    vi.advanceTimersByTime(step);
  }
}

describe('clock sync over the socket', () => {
  it('pings 8 times 100 ms apart on hello, then reports the best RTT and keeps sampling', () => {
    const { ch, session } = setup();
    ch.frame(hello());
    const t0s: number[] = [];
    // Answer each ping as it goes out (RTT 30 ms).
    for (let i = 0; i < SYNC.clockInitialSamples; i++) {
      const p = ch.of('ping')[i]!;
      expect(p.id).toMatch(/^clk-\d+$/);
      t0s.push(p.t0 as number);
      ch.frame({ type: 'pong', id: p.id as string, t0: p.t0 as number, server_time: (p.t0 as number) + OFFSET + 15 });
      vi.advanceTimersByTime(SYNC.clockBurstSpacingMs);
    }
    expect(t0s[1]! - t0s[0]!).toBe(SYNC.clockBurstSpacingMs);
    expect(ch.of('ping')).toHaveLength(SYNC.clockInitialSamples);
    expect(session.getView().clockReady).toBe(true);
    expect(ch.of('clock.report')).toEqual([{ type: 'clock.report', rtt_ms: 0 }]);
    expect(session.serverNow()).toBeCloseTo(Date.now() + OFFSET + 15, 0);
    // Then a second apart for a while (a page busy loading reads its first pongs late) …
    vi.advanceTimersByTime(SYNC.clockFollowupIntervalMs - SYNC.clockBurstSpacingMs);
    expect(ch.of('ping')).toHaveLength(SYNC.clockInitialSamples + 1);
    vi.advanceTimersByTime(SYNC.clockFollowupIntervalMs * (SYNC.clockFollowupSamples - 1));
    const n = SYNC.clockInitialSamples + SYNC.clockFollowupSamples;
    expect(ch.of('ping')).toHaveLength(n);
    // … then every few seconds.
    vi.advanceTimersByTime(SYNC.clockIntervalMs - 1);
    expect(ch.of('ping')).toHaveLength(n);
    vi.advanceTimersByTime(1);
    expect(ch.of('ping')).toHaveLength(n + 1);
  });

  it('estimates the offset from the lowest-RTT samples and reports RTT changes that matter', () => {
    const { ch, session, answerPings } = setup();
    ch.frame(hello());
    for (let i = 0; i < SYNC.clockInitialSamples; i++) {
      answerPings(i % 2 ? 80 : 40);
      vi.advanceTimersByTime(SYNC.clockBurstSpacingMs);
    }
    vi.advanceTimersByTime(SYNC.clockBurstTimeoutMs);
    expect(ch.of('clock.report').map((f) => f.rtt_ms)).toEqual([40]);
    expect(Math.abs(session.serverNow() - serverNow())).toBeLessThan(1);
    // 38 ms: not worth a report. 12 ms: it is.
    vi.advanceTimersByTime(SYNC.clockIntervalMs);
    answerPings(38);
    expect(ch.of('clock.report')).toHaveLength(1);
    vi.advanceTimersByTime(SYNC.clockIntervalMs);
    answerPings(12);
    expect(ch.of('clock.report').map((f) => f.rtt_ms)).toEqual([40, 12]);
    expect(session.getView().rttMs).toBe(12);
  });

  it('uses the hello time until pongs arrive, ignores foreign pongs, and measures again after a reconnect', () => {
    const { ch, session, answerPings } = setup();
    ch.frame(hello());
    expect(Math.abs(session.serverNow() - serverNow())).toBeLessThan(1);
    ch.frame({ type: 'pong', t0: Date.now(), server_time: 0 }); // the socket's own heartbeat
    ch.frame({ type: 'pong', id: 'clk-999', t0: Date.now(), server_time: 0 });
    expect(session.stats().clockSamples).toBe(0);
    answerPings(20);
    expect(session.stats().clockSamples).toBe(1);
    ch.frame(hello());
    expect(ch.of('ping').length).toBeGreaterThan(1);
  });

  it('a burst whose pongs are lost still ends, and the next good sample is reported', () => {
    const { ch, answerPings } = setup();
    ch.frame(hello());
    vi.advanceTimersByTime(SYNC.clockBurstSpacingMs * SYNC.clockInitialSamples + SYNC.clockBurstTimeoutMs);
    expect(ch.of('clock.report')).toHaveLength(0);
    vi.advanceTimersByTime(SYNC.clockIntervalMs);
    answerPings(50);
    expect(ch.of('clock.report').map((f) => f.rtt_ms)).toEqual([50]);
  });
});

describe('state, policy, intents', () => {
  it('takes state, policy and ownership from the hello; notices only live changes', () => {
    const { ch, session } = setup();
    const notices: unknown[] = [];
    session.onNotice((n) => notices.push(n));
    ch.frame(hello(state({ position_s: 42 }), { is_owner: false, snapshot: { playback: state({ position_s: 42 }), policy: { control: 'host', buffering: 'wait_for_all' } } }));
    const v = session.getView();
    expect(v).toMatchObject({ ready: true, isOwner: false, memberId: 'u1', policy: { control: 'host', buffering: 'wait_for_all' } });
    expect(v.state?.position_s).toBe(42);
    expect(notices).toEqual([]);
    const live = state({ status: 'playing', action: 'play', by: { id: 'u2', name: 'Boris' } });
    ch.frame({ type: 'playback.state', seq: 2, state: live });
    ch.frame({ type: 'playback.state', seq: 3, state: state({ at_server_ms: serverNow() - 60_000 }) }); // a replay
    ch.frame({ type: 'room.policy', seq: 4, policy: { control: 'everyone' } });
    expect(notices).toEqual([
      { kind: 'state', state: live },
      { kind: 'policy', policy: { control: 'everyone', buffering: 'wait_for_all' } },
    ]);
    expect(session.getView().policy.control).toBe('everyone');
  });

  it('sends intents with client ids and recognises their refusals', () => {
    const { ch, session } = setup();
    const notices: unknown[] = [];
    session.onNotice((n) => notices.push(n));
    ch.frame(hello());
    expect(session.control('seek', { position_s: 15 })).toBe('id-1');
    expect(session.setPolicy({ control: 'host' })).toBe('id-2');
    expect(ch.of('playback.control')).toEqual([{ type: 'playback.control', id: 'id-1', action: 'seek', position_s: 15 }]);
    expect(ch.of('room.policy')).toEqual([{ type: 'room.policy', id: 'id-2', control: 'host' }]);
    ch.frame({ type: 'error', code: 'not_allowed', message: 'Only the host controls playback in this room.', id: 'id-1' });
    ch.frame({ type: 'error', code: 'not_allowed', message: 'x', id: 'id-2' });
    ch.frame({ type: 'error', code: 'rate_limited', message: 'chat', id: 'chat-1' });
    expect(notices).toEqual([
      { kind: 'refused', what: 'control', code: 'not_allowed', message: 'Only the host controls playback in this room.' },
      { kind: 'refused', what: 'policy', code: 'not_allowed', message: 'x' },
    ]);
    ch.setOpen(false);
    expect(session.control('play')).toBeNull();
  });
});

describe('following the shared state', () => {
  it('a late joiner starts at the live position once the metadata is there', () => {
    const { ch, session } = setup();
    ch.frame(hello(state({ status: 'playing', position_s: 10, at_server_ms: serverNow() - 5_000 })));
    const media = new FakeMedia();
    media.readyState = 0;
    session.attach(media);
    run(500, media);
    expect(media.currentTime).toBe(0); // nothing to seek in yet
    media.startLatencyMs = 80;
    media.seekLatencyMs = 100;
    media.rateLatencyMs = 90;
    media.stretchCostS = DEFAULT_LEADS.stretchS;
    media.readyState = 4;
    media.emit('loadedmetadata');
    expect(media.paused).toBe(false);
    // Seeking while playing lands a little ahead, where the video will be once it moves again.
    expect(media.currentTime).toBeCloseTo(15.5 + session.stats().seekLeadMs / 1000, 2);
    // Started and moved at once, it lands late (play and seek latency); converging then closes the gap.
    run(1_000, media);
    expect(Math.abs(media.currentTime - session.position()!)).toBeLessThan(SYNC.nudgeThresholdS);
    run(2_500, media);
    expect(Math.abs(media.currentTime - session.position()!)).toBeLessThan(0.005);
  });

  it('applies a change at its server instant, not when it arrives', () => {
    const { ch, session } = setup();
    ch.frame(hello(state({ position_s: 3 })));
    const media = new FakeMedia();
    media.startLatencyMs = DEFAULT_LEADS.playS * 1000; // as much as the default lead: the element moves exactly on time
    session.attach(media);
    expect(media.currentTime).toBe(3);
    ch.frame({ type: 'playback.state', seq: 2, state: state({ status: 'playing', position_s: 3, action: 'play', at_server_ms: serverNow() + 180 }) });
    run(70, media);
    expect(media.paused).toBe(true);
    run(20, media);
    expect(media.paused).toBe(false); // started early, to move from the server instant on
    run(90, media);
    expect(media.currentTime).toBe(3);
    run(1_000, media);
    expect(media.currentTime).toBeCloseTo(4, 2);
    ch.frame({ type: 'playback.state', seq: 3, state: state({ status: 'paused', position_s: 9, action: 'seek', at_server_ms: serverNow() + 100 }) });
    run(100, media);
    expect(media.paused).toBe(true);
    expect(media.currentTime).toBe(9);
  });

  it('keeps correcting drift on its own timer and counts the corrections', () => {
    const { ch, session } = setup();
    ch.frame(hello(state({ status: 'playing', position_s: 0 })));
    const media = new FakeMedia();
    session.attach(media);
    run(8_000, media, 0.01); // a decoder 1 % fast
    const s = session.stats();
    expect(s.nudges).toBeGreaterThan(0);
    expect(Math.abs(media.currentTime - session.position()!)).toBeLessThan(SYNC.nudgeThresholdS);
  });

  it('does not judge drift while a seek is in flight', () => {
    const { ch, session } = setup();
    ch.frame(hello(state({ status: 'playing', position_s: 0 })));
    const media = new FakeMedia();
    session.attach(media);
    run(1_000, media);
    const seeks = session.stats().seeks;
    media.seeking = true; // the element stands still while seeking
    run(1_500, media);
    expect(session.stats().seeks).toBe(seeks);
    media.seeking = false;
    media.seekLatencyMs = DEFAULT_LEADS.seekS * 1000; // the correcting seek lands exactly
    run(250, media);
    expect(session.stats().seeks).toBe(seeks + 1);
  });

  it('puts a paused element exactly on the shared position, once per state', () => {
    const { ch, session } = setup();
    ch.frame(hello(state({ status: 'playing', position_s: 0 })));
    const media = new FakeMedia();
    session.attach(media);
    run(1_000, media);
    ch.frame({ type: 'playback.state', seq: 2, state: state({ status: 'paused', position_s: 1.2, action: 'pause', at_server_ms: serverNow() + 100 }) });
    run(90, media);
    media.currentTime = 1.225; // 25 ms off: below the corrector's 40 ms, still worth a still-frame move
    run(400, media);
    expect(media.paused).toBe(true);
    expect(media.currentTime).toBe(1.2);
    expect(session.stats().aligns).toBe(1);
    media.currentTime = 1.21;
    run(1_000, media);
    expect(session.stats().aligns).toBe(1);
  });

  it('stays at the end when the shared position is past it (no restart from 0)', () => {
    const { ch, session } = setup();
    ch.frame(hello(state({ status: 'playing', position_s: 590, at_server_ms: serverNow() - 20_000 })));
    const media = new FakeMedia();
    media.ended = true;
    media.currentTime = 600;
    session.attach(media);
    run(1_000);
    expect(media.plays).toBe(0);
    expect(media.currentTime).toBe(600);
  });

  it('stops following when detached', () => {
    const { ch, session } = setup();
    ch.frame(hello(state({ position_s: 5 })));
    const media = new FakeMedia();
    const detach = session.attach(media);
    expect(media.listenerCount()).toBeGreaterThan(0);
    detach();
    expect(media.listenerCount()).toBe(0);
    ch.frame({ type: 'playback.state', seq: 2, state: state({ position_s: 50, action: 'seek' }) });
    run(500);
    expect(media.currentTime).toBe(5);
  });
});

describe('start latency', () => {
  it('learns how late this element starts and lands, so later actions are on time', () => {
    const storage = memoryStorage();
    const { ch, session } = setup({ storage });
    ch.frame(hello(state({ position_s: 0 })));
    const media = new FakeMedia();
    media.startLatencyMs = 180;
    media.seekLatencyMs = 160;
    session.attach(media);
    const misses: number[] = []; // read soon after each instant, before anything corrects them
    let seq = 10;
    for (let i = 0; i < 6; i++) {
      const at = session.position()!;
      ch.frame({ type: 'playback.state', seq: seq++, state: state({ status: 'playing', position_s: at, action: 'play', at_server_ms: serverNow() + 300 }) });
      run(440, media);
      misses.push(media.currentTime - session.position()!);
      run(1_520, media);
      ch.frame({ type: 'playback.state', seq: seq++, state: state({ status: 'playing', position_s: session.position()! + 30, action: 'seek', at_server_ms: serverNow() + 300 }) });
      run(500, media);
      misses.push(media.currentTime - session.position()!);
      run(1_500, media);
      ch.frame({ type: 'playback.state', seq: seq++, state: state({ status: 'paused', position_s: session.position()! + 0.2, action: 'pause', at_server_ms: serverNow() + 200 }) });
      run(SYNC.warmResumeMs + 1_000, media); // long enough for the next play to start cold
    }
    // The first play is ~90 ms late (the first seek less: the seek that fixed that play taught it); the
    // last ones are within a few ms.
    expect(misses[0]!).toBeLessThan(-0.08);
    expect(misses[1]!).toBeLessThan(-0.01);
    expect(Math.abs(misses.at(-2)!)).toBeLessThan(0.006);
    expect(Math.abs(misses.at(-1)!)).toBeLessThan(0.006);
    const s = session.stats();
    expect(s.playLeadMs).toBeGreaterThan(174);
    expect(s.seekLeadMs).toBeGreaterThan(154);
    expect(JSON.parse(storage.data.get('kino.syncLeads')!).playS).toBeCloseTo(s.playLeadMs / 1000, 5);
  });

  it('starts a warm resume (shortly after a pause, no seek since) with its own, shorter lead', () => {
    const { ch, session } = setup();
    ch.frame(hello(state({ status: 'playing', position_s: 0 })));
    const media = new FakeMedia();
    session.attach(media);
    run(4_000, media);
    ch.frame({ type: 'playback.state', seq: 2, state: state({ status: 'paused', position_s: session.position()! + 0.1, action: 'pause', at_server_ms: serverNow() + 100 }) });
    run(1_000, media);
    expect(media.paused).toBe(true);
    media.startLatencyMs = DEFAULT_LEADS.resumeS * 1000;
    ch.frame({ type: 'playback.state', seq: 3, state: state({ status: 'playing', position_s: session.position()!, action: 'play', at_server_ms: serverNow() + 200 }) });
    run(200 - DEFAULT_LEADS.resumeS * 1000 - 10, media);
    expect(media.paused).toBe(true); // a cold start would have begun 90 ms before the instant
    run(20, media);
    expect(media.paused).toBe(false);
    run(300, media);
    expect(Math.abs(media.currentTime - session.position()!)).toBeLessThan(0.002);
    expect(session.stats().trims).toBe(0);
  });
});

/** An element that behaves like Chromium's: rate changes take 90 ms, leaving rate 1 costs 20 ms once. */
function chromiumLike(startLateS = 0) {
  const media = new FakeMedia();
  media.startLatencyMs = (DEFAULT_LEADS.playS + startLateS) * 1000;
  media.seekLatencyMs = DEFAULT_LEADS.seekS * 1000;
  media.rateLatencyMs = 90;
  media.stretchCostS = DEFAULT_LEADS.stretchS;
  return media;
}

describe('converging after a change', () => {
  it('removes a start miss with one timed trim within about a second, then leaves tiny drift alone', () => {
    const { ch, session } = setup();
    ch.frame(hello(state({ position_s: 0 })));
    const media = chromiumLike(0.03); // starts 30 ms later than the lead allows for
    session.attach(media);
    run(4_000, media);
    ch.frame({ type: 'playback.state', seq: 2, state: state({ status: 'playing', position_s: 0, action: 'play', at_server_ms: serverNow() + 300 }) });
    run(500, media);
    const miss = media.currentTime - session.position()!;
    expect(miss).toBeLessThan(-0.025);
    run(1_000, media);
    expect(Math.abs(media.currentTime - session.position()!)).toBeLessThan(0.003);
    expect(media.playbackRate).toBe(1);
    const s = session.stats();
    expect(s.trims).toBe(1);
    expect(s.nudges + s.seeks).toBe(0);
    // Gentle: never beyond ±maxNudge.
    expect(Math.max(...media.rates.map((r) => Math.abs(r - 1)))).toBeLessThanOrEqual(SYNC.maxNudge + 1e-9);
    // In steady state the dead band holds: 25 ms is left alone.
    run(3_000, media);
    media.seekLatencyMs = 0;
    media.currentTime += 0.025;
    run(3_000, media);
    expect(media.currentTime - session.position()!).toBeCloseTo(0.025, 3);
    expect(session.stats().trims).toBe(1);
  });

  it('seeks when a trim would take too long, and lands where the others are', () => {
    const { ch, session } = setup();
    ch.frame(hello(state({ position_s: 0 })));
    const media = chromiumLike(0.15); // 150 ms late: a ±5 % trim would need seconds
    session.attach(media);
    run(4_000, media);
    ch.frame({ type: 'playback.state', seq: 2, state: state({ status: 'playing', position_s: 0, action: 'play', at_server_ms: serverNow() + 300 }) });
    run(1_000, media);
    expect(Math.abs(media.currentTime - session.position()!)).toBeLessThan(0.003);
    expect(session.stats().seeks).toBe(1);
    expect(session.stats().nudges).toBe(0);
  });

  it('learns what leaving rate 1 costs from its own trims', () => {
    const { ch, session } = setup();
    ch.frame(hello(state({ position_s: 0 })));
    const media = chromiumLike(0.03);
    media.stretchCostS = -0.035; // more than the default allows for
    session.attach(media);
    run(4_000, media);
    let seq = 2;
    for (let i = 0; i < 3; i++) {
      const at = session.position()!;
      ch.frame({ type: 'playback.state', seq: seq++, state: state({ status: 'playing', position_s: at, action: 'play', at_server_ms: serverNow() + 300 }) });
      run(3_500, media);
      ch.frame({ type: 'playback.state', seq: seq++, state: state({ status: 'paused', position_s: session.position()!, action: 'pause', at_server_ms: serverNow() + 200 }) });
      run(6_000, media);
      media.startLatencyMs = session.stats().playLeadMs + 30; // each start 30 ms late again
    }
    expect(session.stats().stretchMs).toBeLessThan(-30);
  });

  it('switches a speed change early by the rate latency, so the clock switches at the instant', () => {
    const { ch, session } = setup();
    ch.frame(hello(state({ status: 'playing', position_s: 0 })));
    const media = chromiumLike();
    session.attach(media);
    run(4_000, media);
    expect(Math.abs(media.currentTime - session.position()!)).toBeLessThan(0.002);
    const at = serverNow() + 300;
    ch.frame({ type: 'playback.state', seq: 2, state: state({ status: 'playing', position_s: session.position()! + 0.3, rate: 1.25, action: 'rate', at_server_ms: at }) });
    run(100, media);
    expect(media.playbackRate).toBe(1); // not yet: 1 → 1.25 is switched 90 ms + the cost of leaving 1 (80 ms at +0.25) ahead
    run(1_000, media);
    expect(media.playbackRate).toBe(1.25);
    expect(Math.abs(media.currentTime - session.position()!)).toBeLessThan(0.003);
    expect(session.stats().trims).toBe(0);
    // Still converging, but 12 ms at a stretched rate is within its reading noise: not chased.
    media.seekLatencyMs = 0;
    media.currentTime += 0.012;
    run(500, media);
    expect(session.stats().trims).toBe(0);
    media.currentTime -= 0.012;
    // And back to 1: the latency only.
    ch.frame({ type: 'playback.state', seq: 3, state: state({ status: 'playing', position_s: session.position()! + 0.3 * 1.25, rate: 1, action: 'rate', at_server_ms: serverNow() + 300 }) });
    run(1_300, media);
    expect(Math.abs(media.currentTime - session.position()!)).toBeLessThan(0.003);
    expect(session.stats().trims).toBe(0);
  });

  it('after a stall it converges like after a change instead of waiting for steady-state rules', () => {
    const { ch, session } = setup();
    ch.frame(hello(state({ status: 'playing', position_s: 0 })));
    const media = chromiumLike();
    session.attach(media);
    run(5_000, media);
    const corrections = session.stats().seeks + session.stats().nudges;
    media.frozen = true; // the decoder starves for 300 ms
    run(300, media);
    media.frozen = false;
    run(1_200, media);
    expect(Math.abs(media.currentTime - session.position()!)).toBeLessThan(0.005);
    expect(session.stats().seeks + session.stats().nudges).toBe(corrections + 1);
  });
});

describe('buffering reports', () => {
  it('reports a stall that lasts, and the recovery', () => {
    const { ch, session } = setup();
    ch.frame(hello(state({ status: 'playing' })));
    const media = new FakeMedia();
    session.attach(media);
    media.readyState = 2;
    media.emit('waiting');
    vi.advanceTimersByTime(SYNC.bufferingDebounceMs - 1);
    expect(ch.of('playback.buffering')).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(ch.of('playback.buffering')).toEqual([{ type: 'playback.buffering', buffering: true }]);
    expect(session.getView().buffering).toBe(true);
    media.emit('canplay'); // still not enough data
    expect(ch.of('playback.buffering')).toHaveLength(1);
    media.readyState = 4;
    media.emit('canplay');
    expect(ch.of('playback.buffering').map((f) => f.buffering)).toEqual([true, false]);
  });

  it('ignores short stalls (a seek) and stalls while paused', () => {
    const { ch, session } = setup();
    ch.frame(hello(state({ status: 'playing' })));
    const media = new FakeMedia();
    session.attach(media);
    media.readyState = 1;
    media.emit('waiting');
    vi.advanceTimersByTime(300);
    media.readyState = 4;
    media.emit('playing');
    vi.advanceTimersByTime(2_000);
    ch.frame({ type: 'playback.state', seq: 2, state: state({ status: 'paused' }) });
    media.readyState = 1;
    media.emit('waiting');
    vi.advanceTimersByTime(2_000);
    expect(ch.of('playback.buffering')).toEqual([]);
  });
});

describe('volume', () => {
  it('is the shared volume × my own; muted when either is', () => {
    const storage = memoryStorage({ [PERSONAL_VOLUME_KEY]: JSON.stringify({ volume: 0.5, muted: false }) });
    const { ch, session } = setup({ storage });
    ch.frame(hello(state({ volume: 0.8 })));
    const media = new FakeMedia();
    session.attach(media);
    expect(media.volume).toBeCloseTo(0.4);
    session.setPersonalVolume(0.25);
    expect(media.volume).toBeCloseTo(0.2);
    expect(JSON.parse(storage.data.get(PERSONAL_VOLUME_KEY)!)).toEqual({ volume: 0.25, muted: false });
    ch.frame({ type: 'playback.state', seq: 2, state: state({ volume: 0.8, muted: true, action: 'mute' }) });
    expect(media.muted).toBe(true);
    ch.frame({ type: 'playback.state', seq: 3, state: state({ volume: 1, muted: false, action: 'mute' }) });
    expect(media.muted).toBe(false);
    expect(media.volume).toBeCloseTo(0.25);
    session.setPersonalMuted(true);
    expect(media.muted).toBe(true);
    expect(setup({ storage }).session.getView().personal).toEqual({ volume: 0.25, muted: true });
  });

  it('survives storage that throws or holds garbage', () => {
    const broken = { getItem: () => { throw new Error('no'); }, setItem: () => { throw new Error('no'); } };
    const ch = fakeChannel();
    const s = createPlaybackSession({ channel: ch.channel, storage: broken });
    expect(s.getView().personal).toEqual({ volume: 1, muted: false });
    s.setPersonalVolume(0.3);
    expect(s.getView().personal.volume).toBe(0.3);
    const garbage = memoryStorage({ [PERSONAL_VOLUME_KEY]: '{nope' });
    expect(createPlaybackSession({ channel: fakeChannel().channel, storage: garbage }).getView().personal).toEqual({ volume: 1, muted: false });
  });
});

describe('autoplay refused', () => {
  it('waits for a click instead of retrying play() every tick', async () => {
    const { ch, session } = setup();
    ch.frame(hello(state({ status: 'playing' })));
    const media = new FakeMedia();
    media.playResult = () => Promise.reject(Object.assign(new Error('no gesture'), { name: 'NotAllowedError' }));
    media.play = function play(this: FakeMedia) {
      this.plays += 1;
      const p = this.playResult();
      p.then(() => void (this.paused = false), () => void (this.paused = true));
      this.paused = false;
      return p;
    };
    session.attach(media);
    await vi.advanceTimersByTimeAsync(10);
    expect(session.getView().blocked).toBe(true);
    const plays = media.plays;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(media.plays).toBe(plays);
    media.playResult = () => Promise.resolve();
    session.unblock();
    expect(media.plays).toBe(plays + 1);
    expect(session.getView().blocked).toBe(false);
  });
});

describe('closing', () => {
  it('stops pinging and unsubscribes', () => {
    const { ch, session } = setup();
    ch.frame(hello());
    session.close();
    const n = ch.sent.length;
    vi.advanceTimersByTime(60_000);
    expect(ch.sent.length).toBe(n);
    expect(ch.subscribed).toBe(false);
    expect(session.control('play')).toBeNull();
  });
});
