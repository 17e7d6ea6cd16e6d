// Shared playback over one room connection (docs/protocol.md, docs/design/0003-playback-sync.md). No
// React, no DOM: the channel (the room socket), timers, the clock and storage are injected.
//
// - Clock sync: a burst of pings on every hello (8, 100 ms apart), then one every few seconds, fed to
//   ClockSync; `clock.report` after the burst and whenever the best RTT moves noticeably.
// - The room's state and policy from the hello snapshot and the `playback.state` / `room.policy` events;
//   intents go out as `playback.control` / `room.policy` with a client id, refusals come back as notices.
// - With a media element attached, a MediaFollower (media_follower.ts): fast convergence right after
//   each change (early starts, timed trims), the DriftCorrector in steady state (a late joiner is simply
//   corrected to the live position), debounced `playback.buffering` reports, and the volume: shared ×
//   this person's own (kept in storage).
import { randomClientId } from '../room_protocol';
import { ClockPinger } from './clock_pinger';
import { ClockSync } from './clock_sync';
import { expectedPosition, type CorrectorStats } from './drift_corrector';
import { MediaFollower, type FollowerStats, type PersonalVolume, type PlayerMedia, type TraceEvent } from './media_follower';
import { StartLeads } from './start_leads';
import {
  DEFAULT_POLICY,
  parsePlaybackState,
  parsePolicy,
  type ControlAction,
  type ControlFields,
  type PlaybackPolicy,
  type PlaybackState,
} from './playback_protocol';

export * from './playback_protocol';
export type { PersonalVolume, PlayerMedia, TraceEvent } from './media_follower';

/** What the session needs of the room socket (RoomSocket has both). */
export interface FrameChannel {
  sendFrame(frame: Record<string, unknown>): boolean;
  onFrame(listener: (frame: Record<string, unknown> & { type: string }) => void): () => void;
}

export interface PlaybackView {
  /** A hello arrived: the fields below are the server's, not placeholders. */
  ready: boolean;
  memberId: string | null;
  isOwner: boolean;
  state: PlaybackState | null;
  policy: PlaybackPolicy;
  /** Enough clock samples to trust the offset. */
  clockReady: boolean;
  rttMs: number | null;
  personal: PersonalVolume;
  /** The browser refused to start playback without a gesture: the UI offers a button. */
  blocked: boolean;
  /** This player reported itself stalled. */
  buffering: boolean;
}

export type PlaybackNotice =
  | { kind: 'state'; state: PlaybackState }
  | { kind: 'policy'; policy: PlaybackPolicy }
  | { kind: 'refused'; what: 'control' | 'policy'; code: string; message: string };

export interface SyncStats extends FollowerStats {
  clockSamples: number;
  offsetMs: number;
  rttMs: number | null;
  /** The learned start latencies and the cost of leaving rate 1 (see start_leads.ts). */
  playLeadMs: number;
  resumeLeadMs: number;
  seekLeadMs: number;
  stretchMs: number;
}

export interface PlaybackSession {
  getView(): PlaybackView;
  subscribe(listener: () => void): () => void;
  /** Live changes (not snapshots), policy changes and refusals, for toasts. */
  onNotice(listener: (n: PlaybackNotice) => void): () => void;
  /** Follows the shared state with this element until the returned function is called. */
  attach(media: PlayerMedia): () => void;
  /** Sends an intent; returns its client id, or null when the socket is not open. */
  control(action: ControlAction, fields?: ControlFields): string | null;
  setPolicy(patch: Partial<PlaybackPolicy>): string | null;
  setPersonalVolume(volume: number): void;
  setPersonalMuted(muted: boolean): void;
  /** Starts the element from a user gesture after the browser blocked autoplay. */
  unblock(): void;
  /** The server's clock now (ms since the epoch), as far as this client knows. */
  serverNow(): number;
  /** Where the shared video is now, in seconds; null before a state. */
  position(): number | null;
  stats(): SyncStats;
  /** The attached follower's recent corrections and starts (diagnosis; empty without an element). */
  trace(): TraceEvent[];
  close(): void;
}

export interface PlaybackSessionOptions {
  channel: FrameChannel;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  /** The local clock in ms (monotonic with sub-ms precision in browsers). */
  now?: () => number;
  /** localStorage or a fake, for the personal volume; errors are ignored. */
  storage?: Pick<Storage, 'getItem' | 'setItem'> | null;
  newId?: () => string;
}

export const PERSONAL_VOLUME_KEY = 'kino.personalVolume';
/** Replayed changes older than this are applied silently (no toast after a reconnect). */
const STALE_NOTICE_MS = 5_000;

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const str = (v: unknown): v is string => typeof v === 'string';
const clamp01 = (v: number) => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 1);

function defaultNow(): number {
  const p = (globalThis as { performance?: Performance }).performance;
  return p && typeof p.now === 'function' ? p.timeOrigin + p.now() : Date.now();
}

function readPersonal(storage: PlaybackSessionOptions['storage']): PersonalVolume {
  try {
    const raw = storage?.getItem(PERSONAL_VOLUME_KEY);
    const v: unknown = raw ? JSON.parse(raw) : null;
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      return { volume: num(o.volume) ? clamp01(o.volume) : 1, muted: o.muted === true };
    }
  } catch {
    // unreadable: the default
  }
  return { volume: 1, muted: false };
}

/** The view before the first hello: nothing known, the default policy (also the idle placeholder without a session). */
export function initialPlaybackView(personal: PersonalVolume = { volume: 1, muted: false }): PlaybackView {
  return {
    ready: false,
    memberId: null,
    isOwner: false,
    state: null,
    policy: DEFAULT_POLICY,
    clockReady: false,
    rttMs: null,
    personal,
    blocked: false,
    buffering: false,
  };
}

/** Client ids of recent intents, to recognise their refusals. */
class RecentIds {
  private readonly ids: string[] = [];
  add(id: string) {
    this.ids.push(id);
    if (this.ids.length > 32) this.ids.shift();
  }
  has(id: string) {
    return this.ids.includes(id);
  }
}

export function createPlaybackSession(opts: PlaybackSessionOptions): PlaybackSession {
  const { channel } = opts;
  const setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const now = opts.now ?? defaultNow;
  const newId = opts.newId ?? randomClientId;
  const clock = new ClockSync(now);
  let helloOffset = 0; // server_time − local time at the hello: a rough offset until pongs arrive
  const serverNow = () => (clock.sampleCount > 0 ? clock.serverNow() : now() + helloOffset);
  const leads = new StartLeads(opts.storage);

  let view = initialPlaybackView(readPersonal(opts.storage));
  const listeners = new Set<() => void>();
  const noticeListeners = new Set<(n: PlaybackNotice) => void>();
  const controlIds = new RecentIds();
  const policyIds = new RecentIds();
  let closed = false;
  let follower: MediaFollower | null = null;
  const pastStats: CorrectorStats & { aligns: number; trims: number } = { seeks: 0, nudges: 0, aligns: 0, trims: 0 };

  function set(patch: Partial<PlaybackView>) {
    view = { ...view, ...patch };
    for (const l of [...listeners]) l();
  }
  function notify(n: PlaybackNotice) {
    for (const l of [...noticeListeners]) l(n);
  }

  const pinger = new ClockPinger({
    clock,
    send: (f) => channel.sendFrame(f),
    setTimer,
    clearTimer,
    now,
    onSample() {
      if (view.clockReady !== clock.ready || view.rttMs !== clock.rttMs) set({ clockReady: clock.ready, rttMs: clock.rttMs });
    },
  });

  function applyState(state: PlaybackState) {
    set({ state });
    follower?.follow(state);
  }

  function onHello(f: Record<string, unknown>) {
    const snap = f.snapshot && typeof f.snapshot === 'object' ? (f.snapshot as Record<string, unknown>) : {};
    if (num(f.server_time)) helloOffset = f.server_time - now();
    const state = parsePlaybackState(snap.playback) ?? view.state;
    set({
      ready: true,
      memberId: str(f.member_id) ? f.member_id : view.memberId,
      isOwner: f.is_owner === true,
      policy: parsePolicy(snap.policy, view.policy),
    });
    if (state) applyState(state);
    pinger.start(); // a new connection may take another path: measure again
  }

  function onFrame(f: Record<string, unknown> & { type: string }) {
    switch (f.type) {
      case 'hello':
        return onHello(f);
      case 'pong':
        pinger.onPong(f.id, f.server_time);
        return;
      case 'playback.state': {
        const state = parsePlaybackState(f.state);
        if (!state) return;
        applyState(state);
        if (state.at_server_ms >= serverNow() - STALE_NOTICE_MS) notify({ kind: 'state', state });
        return;
      }
      case 'room.policy': {
        const policy = parsePolicy(f.policy, view.policy);
        set({ policy });
        notify({ kind: 'policy', policy });
        return;
      }
      case 'error': {
        const id = str(f.id) ? f.id : null;
        const what = id === null ? null : controlIds.has(id) ? 'control' : policyIds.has(id) ? 'policy' : null;
        if (what === null) return;
        notify({ kind: 'refused', what, code: str(f.code) ? f.code : 'unknown', message: str(f.message) ? f.message : '' });
        return;
      }
      default:
        return;
    }
  }

  const unsubscribe = channel.onFrame(onFrame);

  function detach() {
    if (!follower) return;
    const f = follower;
    follower = null;
    f.detach();
    const s = f.stats;
    pastStats.seeks += s.seeks;
    pastStats.nudges += s.nudges;
    pastStats.aligns += s.aligns;
    pastStats.trims += s.trims;
  }

  function savePersonal(personal: PersonalVolume) {
    try {
      opts.storage?.setItem(PERSONAL_VOLUME_KEY, JSON.stringify(personal));
    } catch {
      // storage unavailable: it lasts for this page
    }
    set({ personal });
    follower?.applyVolume();
  }

  return {
    getView: () => view,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onNotice(listener) {
      noticeListeners.add(listener);
      return () => noticeListeners.delete(listener);
    },
    attach(el) {
      detach();
      if (closed) return () => {};
      const mine = new MediaFollower(
        el,
        {
          serverNow,
          now,
          setTimer,
          clearTimer,
          state: () => view.state,
          personal: () => view.personal,
          blocked: () => view.blocked,
          setBlocked(blocked) {
            if (view.blocked !== blocked) set({ blocked });
          },
          buffering: () => view.buffering,
          reportBuffering(buffering) {
            if (view.buffering === buffering) return;
            channel.sendFrame({ type: 'playback.buffering', buffering });
            set({ buffering });
          },
        },
        leads,
      );
      follower = mine;
      return () => {
        if (follower === mine) detach();
      };
    },
    control(action, fields = {}) {
      if (closed) return null;
      const id = newId();
      if (!channel.sendFrame({ type: 'playback.control', id, action, ...fields })) return null;
      controlIds.add(id);
      if (view.blocked) set({ blocked: false }); // a click is the gesture browsers want before playing sound
      return id;
    },
    setPolicy(patch) {
      if (closed) return null;
      const id = newId();
      if (!channel.sendFrame({ type: 'room.policy', id, ...patch })) return null;
      policyIds.add(id);
      return id;
    },
    setPersonalVolume(volume) {
      const personal = { ...view.personal, volume: clamp01(volume) };
      if (personal.volume > 0 && view.personal.muted && volume > view.personal.volume) personal.muted = false;
      savePersonal(personal);
    },
    setPersonalMuted(muted) {
      savePersonal({ ...view.personal, muted });
    },
    unblock() {
      if (view.blocked) set({ blocked: false });
      follower?.unblock();
    },
    serverNow,
    position: () => (view.state ? expectedPosition(view.state, serverNow()) : null),
    stats() {
      const s = follower?.stats;
      return {
        seeks: pastStats.seeks + (s?.seeks ?? 0),
        nudges: pastStats.nudges + (s?.nudges ?? 0),
        aligns: pastStats.aligns + (s?.aligns ?? 0),
        trims: pastStats.trims + (s?.trims ?? 0),
        ticks: s?.ticks ?? 0,
        last: s?.last ?? 'none',
        clockSamples: clock.sampleCount,
        offsetMs: clock.sampleCount > 0 ? clock.offsetMs : helloOffset,
        rttMs: clock.rttMs,
        playLeadMs: leads.playS * 1000,
        resumeLeadMs: leads.resumeS * 1000,
        seekLeadMs: leads.seekS * 1000,
        stretchMs: leads.stretchS * 1000,
      };
    },
    trace: () => follower?.trace() ?? [],
    close() {
      if (closed) return;
      detach();
      closed = true;
      pinger.stop();
      unsubscribe();
    },
  };
}
