// Keeps one media element on the room's shared state (no React, no DOM types): a DriftCorrector ticked
// every SYNC.tickMs and at each state's at_server_ms, plus what the corrector leaves to its caller —
// starting scheduled plays a little early and landing seeks a little ahead (StartLeads), trimming the
// small drift left right after a change (SYNC.fine*), putting a paused element exactly on the shared
// position, staying at the end, not judging a seek in flight, debounced buffering reports, the volume
// (shared × personal), and autoplay refusals.
import { SYNC } from './constants';
import { DriftCorrector, expectedPosition, type Correction, type CorrectorStats, type MediaLike } from './drift_corrector';
import type { PlaybackState } from './playback_protocol';
import type { StartLeads } from './start_leads';

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
  /** Fine trims started right after changes (rate changes below the corrector's threshold). */
  trims: number;
  /** What the last tick did: seek, nudge, settled, none, or skip:<why>. */
  last: string;
}

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
/** After a seek lands, the element needs this long before its drift says something about the lead. */
const AFTER_SEEKED_MS = 100;
const RECOVERY_EVENTS = ['playing', 'canplay', 'canplaythrough', 'seeked'];
const clamp01 = (v: number) => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 1);

export class MediaFollower {
  private readonly corrector: DriftCorrector;
  private readonly adapter: MediaLike;
  private tickTimer: unknown = null;
  private effectTimer: unknown = null;
  private earlyTimer: unknown = null;
  private bufferingTimer: unknown = null;
  private seekedAt = -Infinity;
  private alignedFor: PlaybackState | null = null;
  private following: PlaybackState | null = null;
  private counts = { ticks: 0, aligns: 0, trims: 0, last: 'none' };
  /** The rate the corrector asked for; the element runs at baseRate × trim. */
  private baseRate = 1;
  private trim = 1;
  private trimSign = 0;
  /** Local time until which drift below the corrector's threshold is still trimmed. */
  private trimUntil = -Infinity;

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
    return { ...this.corrector.stats, ...this.counts };
  }

  /** A new shared state: applied at its at_server_ms (a scheduled play starts a little early). */
  follow(state: PlaybackState): void {
    const before = this.following;
    this.following = state;
    const moved = state.status !== before?.status || state.position_s !== before?.position_s || state.rate !== before?.rate;
    this.clear('effectTimer');
    this.clear('earlyTimer');
    if (moved) this.leads.cancel();
    const wait = this.corrector.setState(state);
    if (moved) this.trimUntil = this.host.now() + Math.max(0, wait) + SYNC.settleWindowMs;
    const m = this.media;
    if (wait > 0 && state.status === 'playing' && m.paused && m.readyState >= HAVE_FUTURE_DATA && !this.host.blocked()) {
      const lead = this.leads.playS * 1000;
      const start = () => this.startEarly(state, this.host.now() + Math.min(wait, lead), Math.min(wait, lead) / 1000);
      if (wait > lead) this.earlyTimer = this.host.setTimer(start, wait - lead);
      else start();
    }
    if (wait <= 0) this.tick();
    else
      this.effectTimer = this.host.setTimer(() => {
        this.effectTimer = null;
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
    for (const t of ['tickTimer', 'effectTimer', 'earlyTimer', 'bufferingTimer'] as const) this.clear(t);
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
    this.counts.ticks += 1;
    this.applyVolume();
    if (!m.paused && !m.seeking && host.now() - this.seekedAt >= AFTER_SEEKED_MS) this.leads.observe(host.now(), this.corrector.drift());
    if (m.readyState < HAVE_METADATA || m.seeking) {
      this.counts.last = m.seeking ? 'skip:seeking' : 'skip:no-metadata'; // a seek in flight reads its target
      return;
    }
    const state = this.following;
    if (state && Number.isFinite(m.duration) && m.duration > 0 && expectedPosition(state, host.serverNow()) >= m.duration - END_GUARD_S) {
      // The shared position is past the end: stay there (play() at the end would start over).
      if (state.status === 'paused' && !m.paused) m.pause();
      if (!m.ended && m.currentTime < m.duration - END_GUARD_S - 0.4) m.currentTime = m.duration;
      this.counts.last = 'skip:end';
      return;
    }
    const c = this.corrector.tick();
    this.counts.last = c.kind;
    this.fineTrim(c, state);
    if (state?.status === 'paused' && this.alignedFor !== state && m.paused && host.serverNow() >= state.at_server_ms) {
      this.alignedFor = state;
      const drift = this.corrector.drift();
      if (drift !== null && Math.abs(drift) >= PAUSE_ALIGN_S) {
        m.currentTime = state.position_s;
        this.counts.aligns += 1;
      }
    }
  };

  /** Right after a change: remove the drift the corrector leaves alone (below its threshold). */
  private fineTrim(c: Correction, state: PlaybackState | null) {
    const m = this.media;
    let trim = 1;
    const trimming = state?.status === 'playing' && c.kind === 'none' && !m.paused && this.host.now() < this.trimUntil && this.host.serverNow() >= state.at_server_ms;
    if (trimming) {
      const abs = Math.abs(c.driftS);
      const sign = Math.sign(c.driftS);
      const goOn = this.trim !== 1 && sign === this.trimSign && abs >= SYNC.fineDoneS;
      if (abs >= SYNC.fineFromS || goOn) {
        trim = 1 - sign * Math.min(SYNC.maxNudge, abs / SYNC.fineHorizonS);
        if (this.trim === 1) this.counts.trims += 1;
        this.trimSign = sign;
      }
    }
    if (trim === this.trim) return;
    this.trim = trim;
    m.playbackRate = this.baseRate * trim;
  }

  private loop = () => {
    this.tickTimer = this.host.setTimer(this.loop, SYNC.tickMs);
    this.tick();
  };

  private clear(name: 'tickTimer' | 'effectTimer' | 'earlyTimer' | 'bufferingTimer') {
    if (this[name] !== null) this.host.clearTimer(this[name]);
    this[name] = null;
  }

  private startEarly(state: PlaybackState, effectLocalMs: number, headStartS: number) {
    this.earlyTimer = null;
    const m = this.media;
    if (this.following !== state || !m.paused || m.seeking) return;
    if (Math.abs(m.currentTime - state.position_s) >= SYNC.nudgeThresholdS) return; // elsewhere: the corrector seeks first
    this.adapter.playbackRate = state.rate;
    this.adapter.play();
    this.leads.started('play', effectLocalMs, headStartS);
  }

  private onSeeked = () => {
    this.seekedAt = this.host.now();
  };

  private onWaiting = () => {
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
        el.currentTime = moving ? v + leads.seekS * (state?.rate ?? 1) : v;
        if (moving) leads.started('seek', host.now());
        else leads.cancel();
      },
      get playbackRate() {
        return self.baseRate;
      },
      set playbackRate(v: number) {
        // The corrector's own rate: any fine trim ends.
        self.baseRate = v;
        self.trim = 1;
        el.playbackRate = v;
      },
      get paused() {
        return el.paused;
      },
      play() {
        if (host.blocked()) return; // waits for the person's click (unblock)
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
        el.pause();
      },
    };
  }
}
