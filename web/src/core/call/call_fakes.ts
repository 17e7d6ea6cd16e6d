// Fakes for the call engine's tests: a room socket, peer connections that keep a log, capture devices
// and storage, all in memory; `setup` and `joined` build a CallSession on them. Test support only: the
// app never imports this file.
import { afterEach, beforeEach, vi } from 'vitest';
import type { MediaStreamLike, MediaTrack, PeerEvents, PeerLike, PeerRole, SessionDescription, StatsEntry, TransceiverInit, TransceiverLike } from './call_types';
import { createCallSession, type CallChannel, type CallSessionOptions } from './call_session';

/** Fake timers from a fixed instant, for every test of the calling file. */
export function withFakeClock() {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => vi.useRealTimers());
}

export type Frame = Record<string, unknown> & { type: string };
let trackIds = 0;

export class FakeTrack implements MediaTrack {
  readonly id = `t${++trackIds}`;
  stopped = false;
  private ended: Array<() => void> = [];
  constructor(
    readonly kind: string,
    readonly deviceId = 'default',
  ) {}
  stop() {
    this.stopped = true;
  }
  getSettings() {
    return { deviceId: this.deviceId };
  }
  addEventListener(_type: 'ended', l: () => void) {
    this.ended.push(l);
  }
  end() {
    for (const l of this.ended) l();
  }
}

export class FakeStream implements MediaStreamLike {
  constructor(readonly tracks: MediaTrack[]) {}
  getTracks() {
    return [...this.tracks];
  }
}

export class FakeTransceiver implements TransceiverLike {
  readonly sender: { track: MediaTrack | null; replaceTrack: (t: MediaTrack | null) => Promise<void> };
  readonly receiver: { track: MediaTrack };
  readonly replaced: Array<MediaTrack | null> = [];
  constructor(
    readonly kind: string,
    readonly mid: string | null,
    readonly init?: TransceiverInit,
  ) {
    this.receiver = { track: new FakeTrack(kind) };
    this.sender = {
      track: null,
      replaceTrack: (t) => {
        this.replaced.push(t);
        this.sender.track = t;
        return Promise.resolve();
      },
    };
  }
}

/**
 * A peer connection that keeps a log. A subscriber offer's sdp lists its m-lines after the first word:
 * `"o1 0:audio 1:video"`; an sdp containing "bad" is refused. `gate` holds setRemoteDescription.
 */
export class FakePeer implements PeerLike {
  readonly transceivers: FakeTransceiver[] = [];
  readonly log: string[] = [];
  readonly candidates: Array<RTCIceCandidateInit | null> = [];
  remote: SessionDescription | null = null;
  closed = false;
  gate: Promise<void> | null = null;
  stats: StatsEntry[] = [];
  constructor(
    readonly role: PeerRole,
    readonly on: PeerEvents,
  ) {}
  addTransceiver(kind: 'audio' | 'video', init: TransceiverInit) {
    const t = new FakeTransceiver(kind, String(this.transceivers.length), init);
    this.transceivers.push(t);
    return t;
  }
  getTransceivers() {
    return [...this.transceivers];
  }
  createOffer(): Promise<SessionDescription> {
    this.log.push('createOffer');
    return Promise.resolve({ type: 'offer', sdp: `${this.role} offer` });
  }
  createAnswer(): Promise<SessionDescription> {
    this.log.push('createAnswer');
    return Promise.resolve({ type: 'answer', sdp: `answer to ${this.remote?.sdp.split(' ')[0]}` });
  }
  setLocalDescription(d: SessionDescription) {
    this.log.push(`setLocal ${d.type}`);
    return Promise.resolve();
  }
  async setRemoteDescription(d: SessionDescription) {
    this.log.push(`setRemote ${d.sdp.split(' ')[0]}`);
    if (this.gate) await this.gate;
    if (d.sdp.includes('bad')) throw new Error('refused');
    const added: FakeTransceiver[] = [];
    if (d.type === 'offer') {
      for (const part of d.sdp.split(' ').slice(1)) {
        const [mid, kind] = part.split(':');
        if (!this.transceivers.some((t) => t.mid === mid)) {
          const t = new FakeTransceiver(kind!, mid!);
          this.transceivers.push(t);
          added.push(t);
        }
      }
    }
    this.remote = d;
    for (const t of added) this.on.track(t);
  }
  addIceCandidate(c: RTCIceCandidateInit | null) {
    if (!this.remote) return Promise.reject(new Error('InvalidStateError: no remote description'));
    this.candidates.push(c);
    return Promise.resolve();
  }
  getStats() {
    return Promise.resolve({ forEach: (fn: (e: StatsEntry) => void) => this.stats.forEach(fn) });
  }
  close() {
    this.closed = true;
  }
}

export function fakeChannel() {
  const sent: Frame[] = [];
  let open = false;
  const frameListeners = new Set<(f: Frame) => void>();
  const stateListeners = new Set<() => void>();
  const channel: CallChannel = {
    sendFrame(f) {
      if (!open) return false;
      sent.push(f as Frame);
      return true;
    },
    onFrame(l) {
      frameListeners.add(l);
      return () => frameListeners.delete(l);
    },
    subscribe(l) {
      stateListeners.add(l);
      return () => stateListeners.delete(l);
    },
    getState: () => ({ status: open ? 'open' : 'reconnecting' }),
  };
  const frame = (f: Frame) => {
    for (const l of [...frameListeners]) l(f);
  };
  return {
    channel,
    sent,
    of: (type: string) => sent.filter((f) => f.type === type),
    types: () => sent.map((f) => f.type),
    frame,
    /** A (new) connection: open, then its hello (participant p1 unless `extra` says otherwise). */
    hello(extra: Record<string, unknown> = {}) {
      open = true;
      for (const l of [...stateListeners]) l();
      frame({ type: 'hello', participant_id: 'p1', ...extra });
    },
    drop() {
      open = false;
      for (const l of [...stateListeners]) l();
    },
  };
}

export function fakeDevices() {
  const fail: { video: string | null; audio: string | null } = { video: null, audio: null };
  const captured: FakeTrack[] = [];
  const getUserMedia = vi.fn((c: MediaStreamConstraints): Promise<MediaStreamLike> => {
    const kind = c.video ? 'video' : 'audio';
    const name = fail[kind];
    if (name) return Promise.reject(Object.assign(new Error('no'), { name }));
    const wanted = (c.video ?? c.audio) as MediaTrackConstraints;
    const exact = (wanted.deviceId as { exact?: string } | undefined)?.exact;
    const t = new FakeTrack(kind, exact ?? 'default');
    captured.push(t);
    return Promise.resolve(new FakeStream([t]));
  });
  const enumerateDevices = vi.fn(() =>
    Promise.resolve([
      { deviceId: 'default', kind: 'videoinput', label: 'Front camera' },
      { deviceId: 'cam2', kind: 'videoinput', label: 'USB camera' },
      { deviceId: 'default', kind: 'audioinput', label: 'Built-in microphone' },
      { deviceId: '', kind: 'audiooutput', label: '' },
    ]),
  );
  return { devices: { getUserMedia, enumerateDevices }, fail, captured, getUserMedia };
}

export function memoryStorage() {
  const data = new Map<string, string>();
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), data };
}

export function setup(extra: Partial<CallSessionOptions> = {}) {
  const ch = fakeChannel();
  const dev = fakeDevices();
  const peers: FakePeer[] = [];
  const storage = memoryStorage();
  const call = createCallSession({
    channel: ch.channel,
    createPeer: (role, on) => {
      const p = new FakePeer(role, on);
      peers.push(p);
      return p;
    },
    devices: dev.devices,
    createStream: (tracks) => new FakeStream(tracks),
    storage,
    ...extra,
  });
  const last = (role: PeerRole) => peers.filter((p) => p.role === role).at(-1);
  return { call, ch, dev, peers, storage, sub: () => last('subscriber')!, pub: () => last('publisher')!, count: (role: PeerRole) => peers.filter((p) => p.role === role).length };
}

export const flush = () => vi.advanceTimersByTimeAsync(0);
export const offer = (sdp: string, streams: Array<[string, 'audio' | 'video', string]>): Frame => ({
  type: 'media.offer',
  jsep: { type: 'offer', sdp },
  streams: streams.map(([mid, kind, participant_id]) => ({ mid, kind, participant_id })),
});

/** Joined, with one participant p2 (audio mid 0, video mid 1) subscribed. */
export async function joined(extra: Partial<CallSessionOptions> = {}) {
  const s = setup(extra);
  s.ch.hello();
  s.ch.frame({ type: 'media.ready' });
  s.ch.frame(offer('o1 0:audio 1:video', [['0', 'audio', 'p2'], ['1', 'video', 'p2']]));
  await flush();
  return s;
}

/** joined(), then the camera turned on and published (Janus answered the publish). */
export async function publishingCamera() {
  const s = await joined();
  await s.call.setDevice('camera', true);
  await flush();
  s.ch.frame({ type: 'media.answer', jsep: { type: 'answer', sdp: 'pub answer' } });
  await flush();
  return s;
}
