// Keeps one media element on the room's shared state (no React, no DOM types). Two regimes
// (docs/design/0003-playback-sync.md):
//
// - Converging, for SYNC.settleWindowMs from a change's instant: the element is started early by the
//   learned start latency (cold start or warm resume), seeks land ahead by the learned seek latency, a
//   speed change is applied ahead by the rate latency; ticks come every SYNC.convergeTickMs, and as
//   soon as the element moves steadily its miss is measured (teaching StartLeads) and removed with one
//   timed trim (trim_plan.ts), or with a seek when a ±5 % trim would take too long.
// - Steady state: the DriftCorrector every SYNC.tickMs — seek for large drift, gentle nudge with
//   hysteresis for medium drift, nothing for tiny drift, at most one correction per 10 s.
//
// Plus: putting a paused element exactly on the shared position, staying at the end, not judging a
// seek in flight, debounced buffering reports, the volume (shared × personal), and autoplay refusals.
import { SYNC } from './constants';
import { DriftCorrector, expectedPosition, type CorrectorStats, type MediaLike } from './drift_corrector';
import type { PlaybackState } from './playback_protocol';
import type { StartKind, StartLeads } from './start_leads';
import { isPassthrough, planTrim, type TrimPlan } from './trim_plan';

/** The parts of HTMLMediaElement the follower uses (a fake in tests). */
export interface PlayerMedia extends MediaLike {
  volume: number;
  muted: boolean;
  readonly readyState: number;
  readonly duration: number;
  readonly seeking: boolean;
  readonly ended: boolean;
  play(): Promise<void> | void;
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

export interface PersonalVolume {
  volume: number;
  muted: boolean;
}

/** What the follower needs of its session. */
export interface FollowerHost {
  serverNow(): number;
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  state(): PlaybackState | null;
  personal(): PersonalVolume;
  blocked(): boolean;
  setBlocked(blocked: boolean): void;
  buffering(): boolean;
  reportBuffering(buffering: boolean): void;
}

export interface FollowerStats extends CorrectorStats {
  ticks: number;
  aligns: number;
  /** Timed trims while converging after changes (seeks while converging count in `seeks`). */
  trims: number;
  /** What the last tick did: seek, nudge, settled, none, or skip:<why>. */
  last: string;
}

/** One thing the follower did, for diagnosis (the benchmark reads these through the debug hook). */
export interface TraceEvent {
  /** Server time (ms) as this client knows it. */
  at: number;
  what: string;
  /** Drift at that moment (ms, positive: ahead), when known. */
  driftMs?: number;
  detail?: string;
}
const TRACE_KEEP = 400;

/** HTMLMediaElement.readyState values. */
const HAVE_METADATA = 1;
const HAVE_FUTURE_DATA = 3;
/** Within this of the end, the element is left at the end (play() there would restart from 0). */
const END_GUARD_S = 0.1;
/**
 * A paused element this far from the shared position is moved there exactly (once per state): a
 * still frame costs nothing to move, and the next play then starts everyone from the same place.
 */
const PAUSE_ALIGN_S = 0.005;
/** After a seek lands, the element needs this long before its drift says something. */
const AFTER_SEEKED_MS = 100;
/** The element counts as moving after this many consecutive readings that advanced at about its rate. */
const MOVING_READINGS = 2;
/** Readings closer together than this say nothing about the speed. */
const MIN_READING_GAP_MS = 20;
/** Longest head start given to a scheduled speed change. */
const MAX_RATE_LEAD_MS = 300;
const RECOVERY_EVENTS = ['playing', 'canplay', 'canplaythrough', 'seeked'];
const clamp01 = (v: number) => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 1);

interface ActiveTrim extends TrimPlan {
  startedMs: number;
  driftS: number;
  passthrough: boolean;
}

export class MediaFollower {
  private readonly corrector: DriftCorrector;
  private readonly adapter: MediaLike;
  private tickTimer: unknown = null;
  private effectTimer: unknown = null;
  private earlyTimer: unknown = null;
  private rateTimer: unknown = null;
  private trimTimer: unknown = null;
  private bufferingTimer: unknown = null;
  private seekedAt = -Infinity;
  private alignedFor: PlaybackState | null = null;
  private following: PlaybackState | null = null;
  private counts = { ticks: 0, aligns: 0, trims: 0, convergeSeeks: 0, last: 'none' };
  /** The rate the state or the corrector asked for; during a trim the element runs at baseRate × factor. */
  private baseRate = 1;
  private trim: ActiveTrim | null = null;
  /** A finished trim from rate 1, to be compared with the drift afterwards (the cost of leaving 1). */
  private trimCheck: { driftS: number; changeS: number } | null = null;
  /** Local time until which the element converges after the last change. */
  private convergeUntil = -Infinity;
  private convergeSeeksLeft = SYNC.convergeSeeks;
  /** No judging before this local time (a trim's end is still on its way to the media clock). */
  private quietUntil = -Infinity;
  /** The last reading of the element, and how many readings in a row it advanced at its rate. */
  private reading: { at: number; time: number } | null = null;
  private movingReadings = 0;
  /** Since when the element stands still while it should play (local time), or null. */
  private stalledSince: number | null = null;
  /** When the element was paused by the follower, and whether it has been moved since (warm resume). */
  private pausedAt = -Infinity;
  private warm = false;
  private readonly traceLog: TraceEvent[] = [];

  constructor(
    private readonly media: PlayerMedia,
    private readonly host: FollowerHost,
    private readonly leads: StartLeads,
  ) {
    this.baseRate = media.playbackRate;
    this.adapter = this.adapterFor(media);
    this.corrector = new DriftCorrector(this.adapter, host.serverNow, host.now);
    media.addEventListener('loadedmetadata', this.tick);
    media.addEventListener('seeked', this.onSeeked);
    media.addEventListener('waiting', this.onWaiting);
    for (const e of RECOVERY_EVENTS) media.addEventListener(e, this.onRecovered);
    this.tickTimer = host.setTimer(this.loop, SYNC.tickMs);
    const state = host.state();
    if (state) this.follow(state);
    else this.applyVolume();
  }

  get stats(): FollowerStats {
    const c = this.corrector.stats;
    return { seeks: c.seeks + this.counts.convergeSeeks, nudges: c.nudges, ticks: this.counts.ticks, aligns: this.counts.aligns, trims: this.counts.trims, last: this.counts.last };
  }

  /** The recent corrections, starts and lessons (oldest first). */
  trace(): TraceEvent[] {
    return [...this.traceLog];
  }

  /** A new shared state: applied at its at_server_ms (a scheduled play starts a little early). */
  follow(state: PlaybackState): void {
    const before = this.following;
    this.following = state;
    const moved = state.status !== before?.status || state.position_s !== before?.position_s || state.rate !== before?.rate;
    this.clear('effectTimer');
    this.clear('earlyTimer');
    this.clear('rateTimer');
    const wait = this.corrector.setState(state);
    const now = this.host.now();
    this.note('state', null, `${state.status} ${state.position_s.toFixed(3)} ×${state.rate} in ${Math.round(wait)} ms`);
    if (moved) {
      this.leads.cancel();
      this.endTrim(false);
      this.trimCheck = null;
      this.quietUntil = -Infinity;
      this.convergeUntil = now + Math.max(0, wait) + SYNC.settleWindowMs;
      this.convergeSeeksLeft = SYNC.convergeSeeks;
      this.restartLoop();
    }
    const m = this.media;
    const effectLocal = now + wait;
    if (wait > 0 && state.status === 'playing' && m.paused && m.readyState >= HAVE_FUTURE_DATA && !this.host.blocked()) {
      const kind: StartKind = this.warm && now - this.pausedAt < SYNC.warmResumeMs ? 'resume' : 'play';
      const lead = this.leads.lead(kind) * 1000;
      const start = () => this.startEarly(state, kind, effectLocal);
      if (wait > lead) this.earlyTimer = this.host.setTimer(start, wait - lead);
      else start();
    }
    if (wait > 0 && before && this.rateOnly(before, state) && !m.paused) {
      // A speed change: switch a little early so the media clock switches at the instant.
      const lead = Math.min(wait, MAX_RATE_LEAD_MS, this.rateLeadMs(before.rate, state.rate));
      this.rateTimer = this.host.setTimer(() => {
        this.rateTimer = null;
        if (this.following !== state) return;
        this.note('rate-early', null, `${Math.round(effectLocal - this.host.now())} ms ahead`);
        this.adapter.playbackRate = state.rate;
      }, wait - lead);
    }
    if (wait <= 0) this.tick();
    else
      this.effectTimer = this.host.setTimer(() => {
        this.effectTimer = null;
        this.note('effect', null, `late ${Math.round(this.host.serverNow() - state.at_server_ms)} ms`);
        this.tick();
      }, wait);
  }

  applyVolume(): void {
    const shared = this.host.state();
    const personal = this.host.personal();
    const volume = clamp01((shared?.volume ?? 1) * personal.volume);
    if (Math.abs(this.media.volume - volume) > 1e-4) this.media.volume = volume;
    const muted = (shared?.muted ?? false) || personal.muted;
    if (this.media.muted !== muted) this.media.muted = muted;
  }

  /** Starts the element from a user gesture after the browser blocked autoplay. */
  unblock(): void {
    const p = this.media.play();
    if (p && typeof p.catch === 'function') p.catch(() => {});
    this.tick();
  }

  /** Stops following; a reported stall is taken back. */
  detach(): void {
    this.endTrim(false);
    for (const t of ['tickTimer', 'effectTimer', 'earlyTimer', 'rateTimer', 'trimTimer', 'bufferingTimer'] as const) this.clear(t);
    const m = this.media;
    m.removeEventListener('loadedmetadata', this.tick);
    m.removeEventListener('seeked', this.onSeeked);
    m.removeEventListener('waiting', this.onWaiting);
    for (const e of RECOVERY_EVENTS) m.removeEventListener(e, this.onRecovered);
    this.host.reportBuffering(false);
  }

  readonly tick = (): void => {
    const m = this.media;
    const host = this.host;
    const now = host.now();
    this.counts.ticks += 1;
    this.applyVolume();
    const moving = this.read(now);
    if (moving && now - this.seekedAt >= AFTER_SEEKED_MS) {
      const drift = this.corrector.drift();
      if (this.leads.observe(now, drift)) this.note('learned', drift, `play ${Math.round(this.leads.playS * 1000)} resume ${Math.round(this.leads.resumeS * 1000)} seek ${Math.round(this.leads.seekS * 1000)}`);
    }
    if (m.readyState < HAVE_METADATA || m.seeking) {
      this.counts.last = m.seeking ? 'skip:seeking' : 'skip:no-metadata'; // a seek in flight reads its target
      return;
    }
    const state = this.following;
    if (state && Number.isFinite(m.duration) && m.duration > 0 && expectedPosition(state, host.serverNow()) >= m.duration - END_GUARD_S) {
      // The shared position is past the end: stay there (play() at the end would start over).
      if (state.status === 'paused' && !m.paused) {
        m.pause();
        this.warm = false;
      }
      if (!m.ended && m.currentTime < m.duration - END_GUARD_S - 0.4) m.currentTime = m.duration;
      this.counts.last = 'skip:end';
      return;
    }
    const converging = state?.status === 'playing' && now < this.convergeUntil && host.serverNow() >= state.at_server_ms;
    const nudgesBefore = this.corrector.stats.nudges;
    // A stalled element is not nudged (it would not help); it converges once it moves again.
    const c = this.corrector.tick(converging || this.stalledSince !== null);
    this.counts.last = c.kind;
    if (c.kind === 'seek') this.note('seek', c.driftS, `to ${c.to.toFixed(3)}`);
    else if (c.kind === 'settled') this.note('settled', c.driftS);
    else if (c.kind === 'nudge' && this.corrector.stats.nudges !== nudgesBefore) this.note('nudge', c.driftS, `rate ${c.rate.toFixed(4)}`);
    if (converging && c.kind === 'none' && state) this.converge(state, c.driftS, moving, now);
    if (state?.status === 'paused' && this.alignedFor !== state && m.paused && host.serverNow() >= state.at_server_ms) {
      this.alignedFor = state;
      const drift = this.corrector.drift();
      if (drift !== null && Math.abs(drift) >= PAUSE_ALIGN_S) {
        m.currentTime = state.position_s;
        this.warm = false;
        this.counts.aligns += 1;
        this.note('align', drift);
      }
    }
  };

  /** Right after a change: measure the miss once the element moves, and remove it at once. */
  private converge(state: PlaybackState, driftS: number, moving: boolean, now: number) {
    if (this.trim || now < this.quietUntil || !moving || now - this.seekedAt < AFTER_SEEKED_MS || this.leads.measuring) return;
    const check = this.trimCheck;
    if (check) {
      // What leaving rate 1 cost, beyond what the rate explains.
      this.trimCheck = null;
      const cost = driftS - check.driftS - check.changeS;
      this.leads.learnStretch(cost);
      this.note('stretch', cost, `learned ${Math.round(this.leads.stretchS * 1000)} ms`);
    }
    if (Math.abs(driftS) < (isPassthrough(this.baseRate) ? SYNC.trimFromS : SYNC.trimFromStretchedS)) return;
    const plan = planTrim(driftS, this.baseRate, this.leads.stretchS);
    if (plan.reachS > SYNC.convergeBudgetS && this.convergeSeeksLeft > 0) {
      this.convergeSeeksLeft -= 1;
      this.counts.convergeSeeks += 1;
      this.note('seek', driftS, `converging, a trim would take ${Math.round(plan.reachS * 1000)} ms`);
      this.adapter.currentTime = expectedPosition(state, this.host.serverNow());
      return;
    }
    this.trim = { ...plan, startedMs: now, driftS, passthrough: isPassthrough(this.baseRate) };
    this.media.playbackRate = this.baseRate * plan.factor;
    this.trimTimer = this.host.setTimer(() => {
      this.trimTimer = null;
      this.endTrim(true);
    }, plan.durationMs);
    this.counts.trims += 1;
    this.note('trim', driftS, `×${plan.factor.toFixed(4)} for ${Math.round(plan.durationMs)} ms, cost ${Math.round(plan.costS * 1000)} ms`);
  }

  /** Ends the trim in progress; a completed one is measured once its end reached the media clock. */
  private endTrim(completed: boolean) {
    const t = this.trim;
    if (!t) return;
    this.trim = null;
    this.clear('trimTimer');
    const now = this.host.now();
    this.media.playbackRate = this.baseRate;
    if (!completed) return;
    const changeS = (t.factor - 1) * this.baseRate * ((now - t.startedMs) / 1000);
    this.trimCheck = t.passthrough ? { driftS: t.driftS, changeS } : null;
    this.quietUntil = now + SYNC.rateLatencyMs + SYNC.convergeTickMs;
    this.note('trim-end', this.corrector.drift());
  }

  /** Reads the element; true once it advanced at about its rate for a few readings in a row. */
  private read(now: number): boolean {
    const m = this.media;
    if (m.paused || m.seeking || m.readyState < HAVE_FUTURE_DATA) {
      if (!m.paused && !m.seeking) this.stalledSince ??= now; // waiting for data
      if (m.paused || m.seeking) this.stalledSince = null;
      this.reading = null;
      this.movingReadings = 0;
      return false;
    }
    const time = m.currentTime;
    const last = this.reading;
    if (!last) {
      this.reading = { at: now, time };
      return false;
    }
    if (now - last.at < MIN_READING_GAP_MS) return this.movingReadings >= MOVING_READINGS;
    const speed = (time - last.time) / ((now - last.at) / 1000);
    const rate = this.baseRate * (this.trim?.factor ?? 1);
    this.reading = { at: now, time };
    if (speed > rate * 0.5 && speed < rate * 1.5) this.movingReadings += 1;
    else this.movingReadings = 0;
    if (speed < rate * 0.5) this.stalledSince ??= last.at;
    else if (this.stalledSince !== null && this.movingReadings >= MOVING_READINGS) {
      const stalledMs = now - this.stalledSince;
      this.stalledSince = null;
      if (stalledMs >= SYNC.stallMs && now >= this.convergeUntil && this.following?.status === 'playing') {
        this.note('stalled', null, `${Math.round(stalledMs)} ms`);
        this.convergeUntil = now + SYNC.settleWindowMs;
        this.convergeSeeksLeft = SYNC.convergeSeeks;
        this.restartLoop();
      }
    }
    return this.movingReadings >= MOVING_READINGS;
  }

  /** Only the rate changed, continuously (a speed change while playing). */
  private rateOnly(before: PlaybackState, state: PlaybackState): boolean {
    return (
      before.status === 'playing' &&
      state.status === 'playing' &&
      before.rate !== state.rate &&
      Math.abs(expectedPosition(before, state.at_server_ms) - state.position_s) < 0.005
    );
  }

  /**
   * How early to switch from `from` to `to`: the rate latency, plus — when the switch leaves rate 1 —
   * the time at the difference that makes up for the one-off cost of time-stretching.
   */
  private rateLeadMs(from: number, to: number): number {
    const cost = isPassthrough(from) && !isPassthrough(to) ? this.leads.stretchS : 0;
    return Math.max(0, SYNC.rateLatencyMs - (cost / (to - from)) * 1000);
  }

  private loop = () => {
    this.tickTimer = this.host.setTimer(this.loop, this.host.now() < this.convergeUntil ? SYNC.convergeTickMs : SYNC.tickMs);
    this.tick();
  };

  /** A change: tick at the converging pace from now on. */
  private restartLoop() {
    this.clear('tickTimer');
    this.tickTimer = this.host.setTimer(this.loop, SYNC.convergeTickMs);
  }

  private clear(name: 'tickTimer' | 'effectTimer' | 'earlyTimer' | 'rateTimer' | 'trimTimer' | 'bufferingTimer') {
    if (this[name] !== null) this.host.clearTimer(this[name]);
    this[name] = null;
  }

  private startEarly(state: PlaybackState, kind: StartKind, effectLocalMs: number) {
    this.earlyTimer = null;
    const m = this.media;
    if (this.following !== state || !m.paused || m.seeking) return;
    if (Math.abs(m.currentTime - state.position_s) >= SYNC.nudgeThresholdS) return; // elsewhere: the corrector seeks first
    this.adapter.playbackRate = state.rate;
    this.adapter.play();
    // The head start it really had: the timer may have fired late on a busy page.
    const headStartS = (effectLocalMs - this.host.now()) / 1000;
    this.leads.started(kind, effectLocalMs, headStartS);
    this.note('play-early', null, `${kind}, lead ${Math.round(this.leads.lead(kind) * 1000)} ms, really ${Math.round(headStartS * 1000)} ms`);
  }

  private note(what: string, driftS?: number | null, detail?: string) {
    const e: TraceEvent = { at: this.host.serverNow(), what };
    if (driftS !== undefined && driftS !== null) e.driftMs = Math.round(driftS * 10_000) / 10;
    if (detail !== undefined) e.detail = detail;
    this.traceLog.push(e);
    if (this.traceLog.length > TRACE_KEEP) this.traceLog.shift();
  }

  private onSeeked = () => {
    this.seekedAt = this.host.now();
    this.note('seeked', this.corrector.drift());
  };

  private onWaiting = () => {
    this.note('waiting', null, `readyState ${this.media.readyState}`);
    if (this.bufferingTimer !== null || this.host.buffering() || this.host.state()?.status !== 'playing') return;
    this.bufferingTimer = this.host.setTimer(() => {
      this.bufferingTimer = null;
      if (this.media.readyState < HAVE_FUTURE_DATA) this.host.reportBuffering(true);
    }, SYNC.bufferingDebounceMs);
  };

  private onRecovered = () => {
    if (this.media.readyState < HAVE_FUTURE_DATA) return;
    this.clear('bufferingTimer');
    this.host.reportBuffering(false);
  };

  /** The corrector's view of the element: seeks while playing land ahead, refused plays wait. */
  private adapterFor(el: PlayerMedia): MediaLike {
    const host = this.host;
    const leads = this.leads;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    return {
      get currentTime() {
        return el.currentTime;
      },
      set currentTime(v: number) {
        // Moving while playing: land where the video will be once the element moves again.
        const state = host.state();
        const moving = !el.paused && state?.status === 'playing';
        self.endTrim(false);
        self.trimCheck = null;
        el.currentTime = moving ? v + leads.seekS * (state?.rate ?? 1) : v;
        if (moving) leads.started('seek', host.now());
        else {
          leads.cancel();
          self.warm = false;
        }
      },
      get playbackRate() {
        return self.baseRate;
      },
      set playbackRate(v: number) {
        // The state's or the corrector's own rate: a trim in progress ends.
        if (v !== self.baseRate) self.note('rate', null, `${v.toFixed(4)}`);
        self.endTrim(false);
        self.trimCheck = null;
        self.baseRate = v;
        el.playbackRate = v;
      },
      get paused() {
        return el.paused;
      },
      play() {
        if (host.blocked()) return; // waits for the person's click (unblock)
        self.note('play()', null, el.paused ? 'from paused' : 'already playing');
        const p = el.play();
        if (p && typeof p.then === 'function') {
          p.then(
            () => host.setBlocked(false),
            (e: unknown) => {
              if ((e as { name?: unknown } | null)?.name === 'NotAllowedError') host.setBlocked(true);
            },
          );
        }
      },
      pause() {
        if (!el.paused) {
          self.pausedAt = host.now();
          self.warm = true;
        }
        el.pause();
      },
    };
  }
}
