import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CALL, type MediaStreamLike, type MediaTrack, type PeerEvents, type PeerLike, type PeerRole, type SessionDescription, type StatsEntry, type TransceiverInit, type TransceiverLike } from './call_types';
import { classifyCaptureError, createCallSession, DEVICE_CHOICE_KEY, type CallChannel, type CallSessionOptions } from './call_session';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(1_000_000);
});
afterEach(() => vi.useRealTimers());

type Frame = Record<string, unknown> & { type: string };
let trackIds = 0;

class FakeTrack implements MediaTrack {
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

class FakeStream implements MediaStreamLike {
  constructor(readonly tracks: MediaTrack[]) {}
  getTracks() {
    return [...this.tracks];
  }
}

class FakeTransceiver implements TransceiverLike {
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
class FakePeer implements PeerLike {
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

function fakeChannel() {
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
    /** A (new) connection: open, then its hello. */
    hello() {
      open = true;
      for (const l of [...stateListeners]) l();
      frame({ type: 'hello', participant_id: 'p1' });
    },
    drop() {
      open = false;
      for (const l of [...stateListeners]) l();
    },
  };
}

function fakeDevices() {
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

function memoryStorage() {
  const data = new Map<string, string>();
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), data };
}

function setup(extra: Partial<CallSessionOptions> = {}) {
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

const flush = () => vi.advanceTimersByTimeAsync(0);
const offer = (sdp: string, streams: Array<[string, 'audio' | 'video', string]>): Frame => ({
  type: 'media.offer',
  jsep: { type: 'offer', sdp },
  streams: streams.map(([mid, kind, participant_id]) => ({ mid, kind, participant_id })),
});

/** Joined, with one participant p2 (audio mid 0, video mid 1) subscribed. */
async function joined(extra: Partial<CallSessionOptions> = {}) {
  const s = setup(extra);
  s.ch.hello();
  s.ch.frame({ type: 'media.ready' });
  s.ch.frame(offer('o1 0:audio 1:video', [['0', 'audio', 'p2'], ['1', 'video', 'p2']]));
  await flush();
  return s;
}

describe('call session: joining', () => {
  it('joins after the hello with both devices off, and asks for no device', async () => {
    const { call, ch, dev, peers } = setup();
    expect(ch.sent).toEqual([]); // no socket yet
    ch.hello();
    expect(ch.types()).toEqual(['media.join']);
    expect(call.getView().status).toBe('connecting');
    ch.frame({ type: 'media.ready' });
    await flush();
    expect(call.getView().status).toBe('joined');
    expect(dev.getUserMedia).not.toHaveBeenCalled();
    expect(peers).toEqual([]); // no publisher until a device is on
    expect(ch.of('media.state')).toEqual([]);
    expect(call.getView().devices.cameras.map((d) => d.label)).toEqual(['Front camera', 'USB camera']);
  });

  it('joins at once when created on an open socket', () => {
    const ch = fakeChannel();
    ch.hello();
    createCallSession({ channel: ch.channel, createPeer: () => new FakePeer('subscriber', null as unknown as PeerEvents), devices: null, createStream: (t) => new FakeStream(t) });
    expect(ch.types()).toEqual(['media.join']);
  });

  it('media_unavailable: unavailable, media.join again 5 s later until media.ready', async () => {
    const { call, ch } = setup();
    ch.hello();
    ch.frame({ type: 'error', code: 'media_unavailable', message: 'video chat is off' });
    expect(call.getView().status).toBe('unavailable');
    await vi.advanceTimersByTimeAsync(CALL.retryMs - 1);
    expect(ch.of('media.join')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(ch.of('media.join')).toHaveLength(2);
    ch.frame({ type: 'error', code: 'media_unavailable', message: 'still off' });
    await vi.advanceTimersByTimeAsync(CALL.retryMs);
    expect(ch.of('media.join')).toHaveLength(3);
    expect(call.getView().status).toBe('unavailable'); // no flicker while retrying
    ch.frame({ type: 'media.ready' });
    expect(call.getView().status).toBe('joined');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ch.of('media.join')).toHaveLength(3);
  });

  it('a join that gets no answer counts as unavailable and is retried', async () => {
    const { call, ch } = setup();
    ch.hello();
    await vi.advanceTimersByTimeAsync(CALL.joinTimeoutMs);
    expect(call.getView().status).toBe('unavailable');
    await vi.advanceTimersByTimeAsync(CALL.retryMs);
    expect(ch.of('media.join')).toHaveLength(2);
  });

  it('media.closed: both connections closed, remote streams cleared, joined again after ~5 s and republished', async () => {
    const s = await joined();
    await s.call.setDevice('camera', true);
    await flush();
    s.ch.frame({ type: 'media.answer', jsep: { type: 'answer', sdp: 'pub answer' } });
    await flush();
    expect(s.call.getView().publishing).toBe(true);
    const [sub1, pub1] = [s.sub(), s.pub()];
    s.ch.frame({ type: 'media.talking', participant_id: 'p2', talking: true });

    s.ch.frame({ type: 'media.closed', reason: 'janus_down' });
    const v = s.call.getView();
    expect(v.status).toBe('unavailable');
    expect([sub1.closed, pub1.closed]).toEqual([true, true]);
    expect(v.remote.size).toBe(0);
    expect(v.talking.size).toBe(0);
    expect(v.publishing).toBe(false);
    expect(v.camera.live).toBe(true); // the camera stays on
    expect(s.dev.captured[0]!.stopped).toBe(false);

    await vi.advanceTimersByTimeAsync(CALL.retryMs);
    expect(s.ch.of('media.join')).toHaveLength(2);
    expect(s.count('publisher')).toBe(1);
    s.ch.frame({ type: 'media.ready' });
    await flush();
    expect(s.count('publisher')).toBe(2);
    expect(s.ch.of('media.publish')).toHaveLength(2);
    expect(s.pub().transceivers[1]!.sender.track).toBe(s.dev.captured[0]);
    expect(s.dev.getUserMedia).toHaveBeenCalledTimes(1); // the same track, no new prompt
  });

  it('a socket drop closes the connections; the next hello joins again and re-announces the devices', async () => {
    const s = await joined();
    await s.call.setDevice('mic', true);
    expect(s.ch.of('media.state')).toEqual([{ type: 'media.state', mic: true, camera: false }]);
    const [sub1, pub1] = [s.sub(), s.pub()];
    s.ch.drop();
    expect([sub1.closed, pub1.closed]).toEqual([true, true]);
    expect(s.call.getView().remote.size).toBe(0);
    expect(s.call.getView().status).toBe('connecting');
    // Frames of the old connection that were still in flight do nothing.
    s.ch.hello();
    expect(s.ch.types().slice(-2)).toEqual(['media.join', 'media.state']);
    expect(s.ch.sent.at(-1)).toEqual({ type: 'media.state', mic: true, camera: false });
    s.ch.frame({ type: 'media.ready' });
    await flush();
    expect(s.count('publisher')).toBe(2);
    expect(s.pub().transceivers[0]!.sender.track).toBe(s.dev.captured[0]);
  });

  it('a new hello without a drop (the socket replaced) also starts over', async () => {
    const s = await joined();
    const sub1 = s.sub();
    s.ch.frame({ type: 'hello', participant_id: 'p9' });
    expect(sub1.closed).toBe(true);
    expect(s.ch.of('media.join')).toHaveLength(2);
  });
});

describe('call session: subscriber', () => {
  it('applies offers strictly one at a time, in order, answering each', async () => {
    const { ch, sub } = setup();
    ch.hello();
    ch.frame({ type: 'media.ready' });
    let release!: () => void;
    ch.frame(offer('o1 0:audio', [['0', 'audio', 'p2']]));
    sub().gate = new Promise<void>((r) => (release = r));
    ch.frame(offer('o2 0:audio 1:video', [['0', 'audio', 'p2'], ['1', 'video', 'p2']]));
    ch.frame(offer('o3 0:audio 1:video 2:video', [['0', 'audio', 'p2'], ['1', 'video', 'p2'], ['2', 'video', 'p3']]));
    await flush();
    expect(sub().log).toEqual(['setRemote o1']);
    expect(ch.of('media.answer')).toEqual([]);
    release();
    sub().gate = null;
    await flush();
    expect(sub().log).toEqual([
      'setRemote o1', 'createAnswer', 'setLocal answer',
      'setRemote o2', 'createAnswer', 'setLocal answer',
      'setRemote o3', 'createAnswer', 'setLocal answer',
    ]);
    expect(ch.of('media.answer').map((f) => f.jsep)).toEqual([
      { type: 'answer', sdp: 'answer to o1' },
      { type: 'answer', sdp: 'answer to o2' },
      { type: 'answer', sdp: 'answer to o3' },
    ]);
  });

  it('maps transceiver mids to participants, one stream per participant, and drops mids no longer listed', async () => {
    const { call, ch } = await joined();
    let remote = call.getView().remote;
    expect([...remote.keys()]).toEqual(['p2']);
    expect(remote.get('p2')!.getTracks().map((t) => t.kind)).toEqual(['audio', 'video']);
    const p2 = remote.get('p2');

    ch.frame(offer('o2 0:audio 1:video 2:audio 3:video', [['0', 'audio', 'p2'], ['1', 'video', 'p2'], ['2', 'audio', 'p3'], ['3', 'video', 'p3']]));
    await flush();
    remote = call.getView().remote;
    expect([...remote.keys()].sort()).toEqual(['p2', 'p3']);
    expect(remote.get('p2')).toBe(p2); // unchanged tracks: the same stream (no flicker in <video>)
    expect(remote.get('p3')!.getTracks().map((t) => t.kind)).toEqual(['audio', 'video']);

    // p2 left: its mids carry nothing now; mid 0 is reused for p4's audio.
    ch.frame(offer('o3 0:audio 1:video 2:audio 3:video', [['0', 'audio', 'p4'], ['2', 'audio', 'p3'], ['3', 'video', 'p3']]));
    await flush();
    remote = call.getView().remote;
    expect([...remote.keys()].sort()).toEqual(['p3', 'p4']);
    expect(remote.get('p4')!.getTracks()).toHaveLength(1);
  });

  it('queues server candidates until the remote description is set, then adds them in order', async () => {
    const { ch, sub } = setup();
    ch.hello();
    ch.frame({ type: 'media.ready' });
    const c1 = { candidate: 'candidate:1 1 udp 1 10.0.0.1 4000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    const c2 = { candidate: 'candidate:2 1 udp 1 10.0.0.1 4001 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    ch.frame({ type: 'media.trickle', target: 'subscriber', candidate: c1 });
    ch.frame({ type: 'media.trickle', target: 'subscriber', candidate: { nonsense: true } });
    ch.frame(offer('o1 0:audio', [['0', 'audio', 'p2']]));
    ch.frame({ type: 'media.trickle', target: 'subscriber', candidate: c2 });
    await flush();
    ch.frame({ type: 'media.trickle', target: 'subscriber', candidate: null });
    await flush();
    expect(sub().candidates).toEqual([c1, c2, null]);
  });

  it('trickles its own candidates with target subscriber once the answer went out', async () => {
    const { ch, sub } = setup();
    ch.hello();
    ch.frame({ type: 'media.ready' });
    ch.frame(offer('o1 0:audio', [['0', 'audio', 'p2']]));
    sub().on.iceCandidate({ candidate: 'early', sdpMid: '0' });
    expect(ch.of('media.trickle')).toEqual([]);
    await flush();
    sub().on.iceCandidate({ candidate: 'late', sdpMid: '0' });
    sub().on.iceCandidate(null);
    expect(ch.types().slice(-4)).toEqual(['media.answer', 'media.trickle', 'media.trickle', 'media.trickle']);
    expect(ch.of('media.trickle')).toEqual([
      { type: 'media.trickle', target: 'subscriber', candidate: { candidate: 'early', sdpMid: '0' } },
      { type: 'media.trickle', target: 'subscriber', candidate: { candidate: 'late', sdpMid: '0' } },
      { type: 'media.trickle', target: 'subscriber', candidate: null },
    ]);
  });

  it('an offer that cannot be applied starts the call over (leave, join again later)', async () => {
    const { call, ch, sub } = await joined();
    const first = sub();
    ch.frame(offer('bad 0:audio', [['0', 'audio', 'p2']]));
    await flush();
    expect(first.closed).toBe(true);
    expect(ch.types()).toContain('media.leave');
    expect(call.getView().status).toBe('connecting');
    await vi.advanceTimersByTimeAsync(CALL.retryMs);
    expect(ch.of('media.join')).toHaveLength(2);
  });

  it('ignores offers outside the call (late ones from a session it left)', async () => {
    const { ch, sub, count } = await joined();
    const first = sub();
    ch.frame(offer('bad 0:audio', [['0', 'audio', 'p2']])); // restart: leave, join later
    await flush();
    ch.frame(offer('o9 0:audio', [['0', 'audio', 'p2']])); // in flight before the leave
    await flush();
    expect(count('subscriber')).toBe(1);
    expect(first.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(CALL.retryMs);
    ch.frame({ type: 'media.ready' });
    ch.frame(offer('o1 0:audio', [['0', 'audio', 'p2']]));
    await flush();
    expect(count('subscriber')).toBe(2);
    expect(ch.of('media.answer').at(-1)).toEqual({ type: 'media.answer', jsep: { type: 'answer', sdp: 'answer to o1' } });
  });

  it('speaking: media.talking lights participants, the last speaker stays active', () => {
    const { call, ch } = setup();
    ch.hello();
    ch.frame({ type: 'media.talking', participant_id: 'p2', talking: true });
    ch.frame({ type: 'media.talking', participant_id: 'p3', talking: true });
    ch.frame({ type: 'media.talking', participant_id: 'p3', talking: false });
    expect([...call.getView().talking]).toEqual(['p2']);
    expect(call.getView().activeSpeaker).toBe('p3');
    ch.frame({ type: 'participant.left', seq: 9, participant_id: 'p3' });
    expect(call.getView().activeSpeaker).toBeNull();
  });

  it('inboundStats maps inbound-rtp reports to participants by mid (or by track)', async () => {
    const { call, sub } = await joined();
    const videoTrack = sub().transceivers.find((t) => t.mid === '1')!.receiver.track;
    sub().stats = [
      { type: 'inbound-rtp', kind: 'audio', mid: '0', bytesReceived: 1200, totalSamplesReceived: 48000 },
      { type: 'inbound-rtp', kind: 'video', trackIdentifier: videoTrack.id, bytesReceived: 90000, framesDecoded: 30 },
      { type: 'inbound-rtp', kind: 'video', mid: '7', bytesReceived: 5 }, // not in the layout
      { type: 'outbound-rtp', kind: 'video', mid: '1', bytesSent: 1 },
    ];
    expect(await call.inboundStats()).toEqual([
      { participant_id: 'p2', kind: 'audio', bytesReceived: 1200, totalSamplesReceived: 48000 },
      { participant_id: 'p2', kind: 'video', bytesReceived: 90000, framesDecoded: 30 },
    ]);
  });
});

describe('call session: publisher', () => {
  it('publishes once, with audio and simulcast video send-only, when the first device is turned on', async () => {
    const s = await joined();
    await s.call.setDevice('camera', true);
    expect(s.dev.getUserMedia).toHaveBeenCalledTimes(1);
    expect(s.dev.getUserMedia.mock.calls[0]![0].video).toBeTruthy();
    expect(s.dev.getUserMedia.mock.calls[0]![0].audio).toBeUndefined();
    await flush();
    const pub = s.pub();
    expect(pub.transceivers.map((t) => [t.kind, t.init?.direction])).toEqual([['audio', 'sendonly'], ['video', 'sendonly']]);
    expect(pub.transceivers[1]!.init?.sendEncodings?.map((e) => [e.rid, e.scaleResolutionDownBy, e.maxBitrate])).toEqual([
      ['h', 1, 900_000],
      ['m', 2, 300_000],
      ['l', 4, 100_000],
    ]);
    expect(pub.transceivers[1]!.sender.track).toBe(s.dev.captured[0]);
    expect(pub.transceivers[0]!.sender.track).toBeNull();
    expect(s.ch.of('media.publish')).toEqual([{ type: 'media.publish', jsep: { type: 'offer', sdp: 'publisher offer' } }]);
    expect(s.call.getView().publishing).toBe(false);

    await s.call.setDevice('mic', true);
    await flush();
    expect(s.count('publisher')).toBe(1);
    expect(pub.log.filter((l) => l === 'createOffer')).toHaveLength(1);
    expect(pub.transceivers[0]!.sender.track).toBe(s.dev.captured[1]);

    s.ch.frame({ type: 'media.answer', jsep: { type: 'answer', sdp: 'pub answer' } });
    await flush();
    expect(pub.log).toContain('setRemote pub');
    expect(s.call.getView().publishing).toBe(true);
    expect(s.ch.of('media.state')).toEqual([
      { type: 'media.state', mic: false, camera: true },
      { type: 'media.state', mic: true, camera: true },
    ]);
  });

  it('off: replaceTrack(null) and the track stopped; on again: a new capture and replaceTrack, no renegotiation', async () => {
    const s = await joined();
    await s.call.setDevice('camera', true);
    await flush();
    s.ch.frame({ type: 'media.answer', jsep: { type: 'answer', sdp: 'pub answer' } });
    await flush();
    const video = s.pub().transceivers[1]!;
    const first = s.dev.captured[0]!;
    expect(s.call.getView().localStream?.getTracks()).toEqual([first]);

    await s.call.setDevice('camera', false);
    await flush();
    expect(video.sender.track).toBeNull();
    expect(first.stopped).toBe(true);
    expect(s.call.getView().camera).toMatchObject({ wanted: false, live: false });
    expect(s.call.getView().localStream).toBeNull();

    await s.call.setDevice('camera', true);
    await flush();
    const second = s.dev.captured[1]!;
    expect(video.sender.track).toBe(second);
    expect(video.replaced).toEqual([first, null, second]);
    expect(s.count('publisher')).toBe(1);
    expect(s.pub().log.filter((l) => l === 'createOffer')).toHaveLength(1);
    expect(s.ch.of('media.publish')).toHaveLength(1);
    expect(s.ch.of('media.state').map((f) => f.camera)).toEqual([true, false, true]);
  });

  it('a device turned on before media.ready is published once the call is joined', async () => {
    const s = setup();
    s.ch.hello();
    await s.call.setDevice('mic', true);
    expect(s.count('publisher')).toBe(0);
    expect(s.ch.of('media.state')).toHaveLength(1);
    s.ch.frame({ type: 'media.ready' });
    await flush();
    expect(s.ch.of('media.publish')).toHaveLength(1);
  });

  it('trickles publisher candidates after the offer and queues the server\'s until the answer', async () => {
    const s = await joined();
    await s.call.setDevice('mic', true);
    const pub = s.pub();
    pub.on.iceCandidate({ candidate: 'mine-early', sdpMid: '0' });
    await flush();
    pub.on.iceCandidate(null);
    expect(s.ch.of('media.trickle').filter((f) => f.target === 'publisher').map((f) => f.candidate)).toEqual([{ candidate: 'mine-early', sdpMid: '0' }, null]);
    expect(s.ch.types().indexOf('media.publish')).toBeLessThan(s.ch.types().indexOf('media.trickle'));
    const theirs = { candidate: 'candidate:9 1 udp 1 10.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    s.ch.frame({ type: 'media.trickle', target: 'publisher', candidate: theirs });
    expect(pub.candidates).toEqual([]);
    s.ch.frame({ type: 'media.answer', jsep: { type: 'answer', sdp: 'pub answer' } });
    await flush();
    expect(pub.candidates).toEqual([theirs]);
  });

  it('a refused publish is tried again later', async () => {
    const s = await joined();
    await s.call.setDevice('camera', true);
    await flush();
    s.ch.frame({ type: 'error', code: 'media_failed', message: 'publish refused' });
    expect(s.pub().closed).toBe(true);
    await vi.advanceTimersByTimeAsync(CALL.republishMs);
    expect(s.count('publisher')).toBe(2);
    expect(s.ch.of('media.publish')).toHaveLength(2);
  });

  it('switching devices captures the chosen one and replaces the track, remembering the choice', async () => {
    const s = await joined();
    await s.call.setDevice('camera', true);
    await flush();
    const video = s.pub().transceivers[1]!;
    await s.call.chooseDevice('camera', 'cam2');
    await flush();
    const constraints = s.dev.getUserMedia.mock.calls[1]![0].video as MediaTrackConstraints;
    expect(constraints.deviceId).toEqual({ exact: 'cam2' });
    expect(video.sender.track).toBe(s.dev.captured[1]);
    expect(s.dev.captured[0]!.stopped).toBe(true);
    expect(s.call.getView().camera.deviceId).toBe('cam2');
    expect(JSON.parse(s.storage.data.get(DEVICE_CHOICE_KEY)!)).toEqual({ camera: 'cam2', mic: null });
    expect(s.ch.of('media.publish')).toHaveLength(1);
    expect(s.ch.of('media.state')).toHaveLength(1); // still just "camera on"
  });

  it('a chosen device while off is only remembered, and used when turned on', async () => {
    const s = await joined();
    await s.call.chooseDevice('mic', 'mic9');
    expect(s.dev.getUserMedia).not.toHaveBeenCalled();
    await s.call.setDevice('mic', true);
    expect((s.dev.getUserMedia.mock.calls[0]![0].audio as MediaTrackConstraints).deviceId).toEqual({ exact: 'mic9' });
  });

  it('a remembered device that is gone falls back to the default', async () => {
    const s = await joined();
    await s.call.chooseDevice('camera', 'gone');
    s.dev.getUserMedia.mockImplementationOnce(() => Promise.reject(Object.assign(new Error('x'), { name: 'OverconstrainedError' })));
    await s.call.setDevice('camera', true);
    expect(s.dev.getUserMedia).toHaveBeenCalledTimes(2);
    expect(s.call.getView().camera.live).toBe(true);
  });

  it('permission denied or no device: a clear error, the toggle back off, nothing published', async () => {
    const s = await joined();
    s.dev.fail.video = 'NotAllowedError';
    await s.call.setDevice('camera', true);
    expect(s.call.getView().error).toEqual({ device: 'camera', problem: 'denied' });
    expect(s.call.getView().camera).toMatchObject({ wanted: false, live: false, starting: false });
    expect(s.count('publisher')).toBe(0);
    expect(s.ch.of('media.state')).toEqual([]);
    s.dev.fail.audio = 'NotFoundError';
    await s.call.setDevice('mic', true);
    expect(s.call.getView().error).toEqual({ device: 'mic', problem: 'no_device' });
    s.call.dismissError();
    expect(s.call.getView().error).toBeNull();
  });

  it('no camera API (plain http): insecure', async () => {
    const s = await joined({ devices: null });
    await s.call.setDevice('camera', true);
    expect(s.call.getView().error).toEqual({ device: 'camera', problem: 'insecure' });
  });

  it('turning off while the browser still asks drops the late track', async () => {
    const s = await joined();
    let resolve!: (v: MediaStreamLike) => void;
    s.dev.getUserMedia.mockImplementationOnce(() => new Promise<MediaStreamLike>((r) => (resolve = r)));
    const on = s.call.setDevice('camera', true);
    expect(s.call.getView().camera).toMatchObject({ wanted: true, starting: true });
    await s.call.setDevice('camera', false);
    const late = new FakeTrack('video');
    resolve(new FakeStream([late]));
    await on;
    expect(late.stopped).toBe(true);
    expect(s.call.getView().camera.live).toBe(false);
    expect(s.count('publisher')).toBe(0);
  });

  it('a track that ends (device unplugged) turns the device off', async () => {
    const s = await joined();
    await s.call.setDevice('camera', true);
    (s.dev.captured[0] as FakeTrack).end();
    expect(s.call.getView().camera.live).toBe(false);
    expect(s.ch.of('media.state').at(-1)).toEqual({ type: 'media.state', mic: false, camera: false });
  });

  it('measures our own speaking from the microphone level', async () => {
    let level = 0;
    const closeMeter = vi.fn();
    const s = await joined({ meter: () => ({ level: () => level, close: closeMeter }), now: () => Date.now() });
    await s.call.setDevice('mic', true);
    await vi.advanceTimersByTimeAsync(CALL.meterIntervalMs);
    expect(s.call.getView().localTalking).toBe(false);
    level = 0.2;
    await vi.advanceTimersByTimeAsync(CALL.meterIntervalMs);
    expect(s.call.getView().localTalking).toBe(true);
    level = 0;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(s.call.getView().localTalking).toBe(false);
    await s.call.setDevice('mic', false);
    expect(closeMeter).toHaveBeenCalled();
  });

  it('close() leaves the call and stops the devices', async () => {
    const s = await joined();
    await s.call.setDevice('camera', true);
    s.call.close();
    expect(s.ch.sent.at(-1)).toEqual({ type: 'media.leave' });
    expect(s.dev.captured[0]!.stopped).toBe(true);
    expect(s.sub().closed).toBe(true);
    s.ch.frame({ type: 'media.closed', reason: 'x' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(s.ch.of('media.join')).toHaveLength(1);
  });
});

describe('classifyCaptureError', () => {
  it('names the problem (table)', () => {
    const cases: Array<[string, string]> = [
      ['NotAllowedError', 'denied'],
      ['SecurityError', 'denied'],
      ['NotFoundError', 'no_device'],
      ['OverconstrainedError', 'no_device'],
      ['NotReadableError', 'busy'],
      ['AbortError', 'busy'],
      ['InsecureContextError', 'insecure'],
      ['TypeError', 'failed'],
    ];
    for (const [name, want] of cases) expect(classifyCaptureError(Object.assign(new Error('x'), { name })), name).toBe(want);
    expect(classifyCaptureError('weird')).toBe('failed');
  });
});

describe('call session: received quality', () => {
  it('sends media.quality for changes while joined, and again after each media.ready', async () => {
    const s = setup();
    s.ch.hello();
    s.call.setQualities(new Map([['p2', 'low'], ['p3', 'high']]));
    expect(s.ch.of('media.quality')).toEqual([]); // not in the call yet
    s.ch.frame({ type: 'media.ready' });
    expect(s.ch.of('media.quality')).toEqual([{ type: 'media.quality', participant_id: 'p2', quality: 'low' }]); // high is the default
    s.call.setQualities(new Map([['p2', 'low'], ['p3', 'medium']]));
    s.call.setQualities(new Map([['p2', 'low'], ['p3', 'medium']]));
    expect(s.ch.of('media.quality').slice(1)).toEqual([{ type: 'media.quality', participant_id: 'p3', quality: 'medium' }]);
    s.call.setQualities(new Map([['p3', 'high']]));
    expect(s.ch.of('media.quality').at(-1)).toEqual({ type: 'media.quality', participant_id: 'p3', quality: 'high' });
    // A new call session (media.closed, then back): the server forgot; send again.
    s.call.setQualities(new Map([['p3', 'low']]));
    const before = s.ch.of('media.quality').length;
    s.ch.frame({ type: 'media.closed', reason: 'x' });
    await vi.advanceTimersByTimeAsync(CALL.retryMs);
    s.ch.frame({ type: 'media.ready' });
    expect(s.ch.of('media.quality').slice(before)).toEqual([{ type: 'media.quality', participant_id: 'p3', quality: 'low' }]);
  });
});
