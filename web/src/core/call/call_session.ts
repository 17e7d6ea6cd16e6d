// The room's video call (docs/protocol.md, "Video chat"): two RTCPeerConnections to Kino's Janus SFU,
// signalled over the room socket. No React, no DOM: the socket, peer connections, capture, timers and
// the clock are injected (call_types.ts), so tests drive it with fakes.
//
// - Joining: `media.join` after every hello (each socket is a new participant), and again
//   `CALL.retryMs` after `media.closed` or `media_unavailable` while the room is open. Joining is with
//   camera and microphone off: nothing asks for a device until the person turns one on.
// - Subscriber: the server's `media.offer`s are applied strictly one at a time, in order, each answered
//   with `media.answer`. Each offer's `streams` maps transceiver mids to participants; the remote tracks
//   are grouped into one MediaStream per participant. Remote candidates that arrive before the offer
//   are queued; ours are trickled (`target: "subscriber"`) once the answer went out.
// - Publisher: created the first time a device is turned on (and after each `media.ready` while one is
//   on): audio and video transceivers, send-only, video with three simulcast layers, offered once with
//   `media.publish`. Devices go off and on (or switch) with `replaceTrack`, never a renegotiation; the
//   track is stopped so the camera light goes out. Every change is announced with `media.state`.
// - `media.closed`, a socket drop or a new hello close both connections and clear the remote streams;
//   devices that were on stay on and are published again after the next `media.ready`.
import { CALL, SIMULCAST_ENCODINGS, type LevelMeter, type MediaDevicesLike, type MediaStreamLike, type MediaTrack, type PeerFactory, type PeerLike, type SessionDescription, type TransceiverLike } from './call_types';
import { capture, classifyCaptureError, deviceLists, NO_DEVICES, sameDevices, type DeviceKind, type DeviceLists, type DeviceProblem } from './capture';
import { SpeakingDetector } from './speaking';

export * from './capture';

type Frame = Record<string, unknown> & { type: string };

/** What the engine needs of the room socket (RoomSocket has all of it). */
export interface CallChannel {
  /** False when there is no open connection with a hello. */
  sendFrame(frame: Record<string, unknown>): boolean;
  onFrame(listener: (frame: Frame) => void): () => void;
  subscribe(listener: () => void): () => void;
  getState(): { status: string };
}

/**
 * `connecting`: joining (or the socket is reconnecting); `joined`: in the call; `unavailable`: the
 * media server is off or gone (chat and the film go on), retried by itself.
 */
export type CallStatus = 'connecting' | 'joined' | 'unavailable';

export interface LocalDevice {
  /** The person wants it on (the toggle is pressed); true while it starts. */
  wanted: boolean;
  /** A track is running. */
  live: boolean;
  /** Asking the browser for it (the permission prompt may be up). */
  starting: boolean;
  /** The device in use, or the one chosen for next time; null = the browser's default. */
  deviceId: string | null;
}

export interface DeviceError {
  device: DeviceKind;
  problem: DeviceProblem;
}

export interface CallView {
  status: CallStatus;
  /** The publisher connection is negotiated (Janus answered our offer). */
  publishing: boolean;
  camera: LocalDevice;
  mic: LocalDevice;
  /** The camera preview (video only), while the camera is on. */
  localStream: MediaStreamLike | null;
  /** Our own microphone is picking up speech (measured here, no round trip). */
  localTalking: boolean;
  /** Participant id → that person's incoming audio and video. */
  remote: ReadonlyMap<string, MediaStreamLike>;
  /** Participants the server says are speaking. */
  talking: ReadonlySet<string>;
  /** Who spoke last (stays after they stop, until someone else speaks). */
  activeSpeaker: string | null;
  devices: DeviceLists;
  error: DeviceError | null;
}

/** Which simulcast layer of someone's video to receive (`media.quality`); the server's default is `high`. */
export type Quality = 'low' | 'medium' | 'high';

export interface InboundStat {
  participant_id: string;
  kind: 'audio' | 'video';
  framesDecoded?: number;
  totalSamplesReceived?: number;
  bytesReceived: number;
}

export interface CallSession {
  getView(): CallView;
  subscribe(listener: () => void): () => void;
  /** Turns a device on (asking the browser for it the first time) or off. */
  setDevice(kind: DeviceKind, on: boolean): Promise<void>;
  /** Chooses a device ('' = the browser's default); a running one is switched over at once (no renegotiation). */
  chooseDevice(kind: DeviceKind, deviceId: string): Promise<void>;
  /** Reads the device lists again (names appear once a device was allowed). */
  refreshDevices(): Promise<void>;
  /**
   * The layer wanted per participant (by tile size). Sent as `media.quality` for what changed while in
   * the call, and again after each `media.ready`; participants not listed are forgotten.
   */
  setQualities(wanted: ReadonlyMap<string, Quality>): void;
  dismissError(): void;
  /** The subscriber connection's `inbound-rtp` stats, by participant (tests and the benchmark). */
  inboundStats(): Promise<InboundStat[]>;
  /** Leaves the call and stops the devices (the page is left). */
  close(): void;
}

export interface CallSessionOptions {
  channel: CallChannel;
  createPeer: PeerFactory;
  /** navigator.mediaDevices; null where the browser has none (plain http). */
  devices: MediaDevicesLike | null;
  /** `new MediaStream(tracks)`. */
  createStream(tracks: MediaTrack[]): MediaStreamLike;
  /** A loudness meter for our microphone; without it only the server's `media.talking` lights our tile. */
  meter?: ((track: MediaTrack) => LevelMeter | null) | undefined;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  now?: () => number;
  /** localStorage or a fake: the chosen devices are remembered. Errors are ignored. */
  storage?: Pick<Storage, 'getItem' | 'setItem'> | null;
  /** Failures worth a console line (negotiation errors); silent by default. */
  log?: (message: string, error?: unknown) => void;
}

export const DEVICE_CHOICE_KEY = 'kino.callDevices';

const str = (v: unknown): v is string => typeof v === 'string';
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

interface StreamSlot {
  mid: string;
  kind: 'audio' | 'video';
  participant_id: string;
}

function parseStreams(v: unknown): StreamSlot[] {
  if (!Array.isArray(v)) return [];
  const out: StreamSlot[] = [];
  for (const s of v) {
    if (!isRecord(s) || !str(s.mid) || !str(s.participant_id)) continue;
    out.push({ mid: s.mid, kind: s.kind === 'audio' ? 'audio' : 'video', participant_id: s.participant_id });
  }
  return out;
}

function parseJsep(v: unknown, type: 'offer' | 'answer'): SessionDescription | null {
  return isRecord(v) && v.type === type && str(v.sdp) ? { type, sdp: v.sdp } : null;
}

function parseCandidate(v: unknown): RTCIceCandidateInit | null | undefined {
  if (v === null) return null;
  if (!isRecord(v) || !str(v.candidate)) return undefined; // malformed: dropped
  const c: RTCIceCandidateInit = { candidate: v.candidate };
  if (str(v.sdpMid)) c.sdpMid = v.sdpMid;
  if (num(v.sdpMLineIndex)) c.sdpMLineIndex = v.sdpMLineIndex;
  return c;
}

interface Subscriber {
  pc: PeerLike;
  layout: Map<string, StreamSlot>;
  /** A remote description is set: server candidates can be added directly. */
  remoteSet: boolean;
  /** Our first answer went out: our candidates can follow it. */
  answered: boolean;
  localQueue: Array<RTCIceCandidateInit | null>;
}

interface Publisher {
  pc: PeerLike;
  audio: TransceiverLike;
  video: TransceiverLike;
  offerSent: boolean;
  answerSeen: boolean;
  remoteSet: boolean;
  localQueue: Array<RTCIceCandidateInit | null>;
  remoteQueue: Array<RTCIceCandidateInit | null>;
}

function readChoices(storage: CallSessionOptions['storage']): Record<DeviceKind, string | null> {
  try {
    const raw = storage?.getItem(DEVICE_CHOICE_KEY);
    const v: unknown = raw ? JSON.parse(raw) : null;
    if (isRecord(v)) return { camera: str(v.camera) ? v.camera : null, mic: str(v.mic) ? v.mic : null };
  } catch {
    // unreadable: the defaults
  }
  return { camera: null, mic: null };
}

const OFF: LocalDevice = { wanted: false, live: false, starting: false, deviceId: null };

export function createCallSession(opts: CallSessionOptions): CallSession {
  const { channel } = opts;
  const setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const now = opts.now ?? (() => Date.now());
  const log = opts.log ?? (() => {});
  const choices = readChoices(opts.storage);

  let view: CallView = {
    status: 'connecting',
    publishing: false,
    camera: { ...OFF, deviceId: choices.camera },
    mic: { ...OFF, deviceId: choices.mic },
    localStream: null,
    localTalking: false,
    remote: new Map(),
    talking: new Set(),
    activeSpeaker: null,
    devices: NO_DEVICES,
    error: null,
  };
  const listeners = new Set<() => void>();
  function set(patch: Partial<CallView>) {
    view = { ...view, ...patch };
    for (const l of [...listeners]) l();
  }
  const setLocal = (kind: DeviceKind, patch: Partial<LocalDevice>) => set(kind === 'camera' ? { camera: { ...view.camera, ...patch } } : { mic: { ...view.mic, ...patch } });

  let closed = false;
  /** Bumped whenever the connections are torn down: async steps of older ones stop. */
  let generation = 0;
  let joinPending = false;
  let joinTimer: unknown = null;
  let retryTimer: unknown = null;
  let republishTimer: unknown = null;
  let meterTimer: unknown = null;
  let sub: Subscriber | null = null;
  let subQueue: Promise<void> = Promise.resolve();
  /** Server candidates for the subscriber that came before its remote description. */
  let subRemoteQueue: Array<RTCIceCandidateInit | null> = [];
  let pub: Publisher | null = null;
  const tracks: Record<DeviceKind, MediaTrack | null> = { camera: null, mic: null };
  /** Bumped by each on/off/switch request, so a slow capture that was overtaken is dropped. */
  const requests: Record<DeviceKind, number> = { camera: 0, mic: 0 };
  /** The last `media.state` the server has from this connection. */
  let sentState = { mic: false, camera: false };
  let meter: LevelMeter | null = null;
  let wantedQuality: ReadonlyMap<string, Quality> = new Map();
  /** What the server has for this call session (absent = its default, high). */
  const sentQuality = new Map<string, Quality>();
  const speaking = new SpeakingDetector();
  let wasOpen = channel.getState().status === 'open';

  const clear = (t: unknown) => {
    if (t !== null) clearTimer(t);
  };

  // --- joining --------------------------------------------------------------------------------

  function join() {
    clear(retryTimer);
    retryTimer = null;
    if (closed) return;
    if (!channel.sendFrame({ type: 'media.join' })) return; // no socket: the next hello joins
    joinPending = true;
    clear(joinTimer);
    joinTimer = setTimer(() => {
      joinTimer = null;
      if (!joinPending) return;
      joinPending = false;
      unavailable();
    }, CALL.joinTimeoutMs);
  }

  function scheduleJoin() {
    clear(retryTimer);
    retryTimer = closed ? null : setTimer(join, CALL.retryMs);
  }

  /** The media server is off or gone: say so, and try again in a while. */
  function unavailable() {
    teardown();
    if (view.status !== 'unavailable') set({ status: 'unavailable' });
    scheduleJoin();
  }

  /** Something in our connections broke: leave and join again (a fresh subscriber, a new publish). */
  function restart(why: string, e?: unknown) {
    log(`call: ${why}; joining again`, e);
    channel.sendFrame({ type: 'media.leave' });
    teardown();
    if (view.status === 'joined') set({ status: 'connecting' });
    scheduleJoin();
  }

  /** Closes both connections and forgets everything remote. Local devices stay as they are. */
  function teardown() {
    generation += 1;
    clear(joinTimer);
    clear(republishTimer);
    joinTimer = republishTimer = null;
    joinPending = false;
    sub?.pc.close();
    sub = null;
    subQueue = Promise.resolve();
    subRemoteQueue = [];
    closePublisher();
    sentQuality.clear();
    if (view.remote.size > 0 || view.talking.size > 0 || view.activeSpeaker !== null || view.publishing) {
      set({ remote: new Map(), talking: new Set(), activeSpeaker: null, publishing: false });
    }
  }

  // --- subscriber -----------------------------------------------------------------------------

  function trickle(target: 'publisher' | 'subscriber', candidate: RTCIceCandidateInit | null) {
    channel.sendFrame({ type: 'media.trickle', target, candidate });
  }

  function addCandidate(pc: PeerLike, c: RTCIceCandidateInit | null) {
    pc.addIceCandidate(c).catch((e: unknown) => log('call: a candidate was refused', e));
  }

  function createSubscriber(): Subscriber {
    const s: Subscriber = { pc: null as unknown as PeerLike, layout: new Map(), remoteSet: false, answered: false, localQueue: [] };
    s.pc = opts.createPeer('subscriber', {
      iceCandidate(c) {
        if (sub !== s) return;
        if (s.answered) trickle('subscriber', c);
        else s.localQueue.push(c);
      },
      track() {
        if (sub === s) rebuildRemote();
      },
      connectionState(state) {
        if (sub === s && state === 'failed') restart('the subscriber connection failed');
      },
    });
    return s;
  }

  async function applyOffer(s: Subscriber, gen: number, jsep: SessionDescription, streams: StreamSlot[]) {
    const stale = () => gen !== generation || sub !== s || closed;
    if (stale()) return;
    // The layout first: tracks are reported while the offer is applied.
    s.layout = new Map(streams.map((x) => [x.mid, x]));
    try {
      await s.pc.setRemoteDescription(jsep);
      if (stale()) return;
      s.remoteSet = true;
      for (const c of subRemoteQueue.splice(0)) addCandidate(s.pc, c);
      const answer = await s.pc.createAnswer();
      if (stale()) return;
      await s.pc.setLocalDescription(answer);
      if (stale()) return;
      channel.sendFrame({ type: 'media.answer', jsep: { type: 'answer', sdp: answer.sdp } });
      if (!s.answered) {
        s.answered = true;
        for (const c of s.localQueue.splice(0)) trickle('subscriber', c);
      }
      rebuildRemote();
    } catch (e) {
      if (!stale()) restart('an offer could not be applied', e);
    }
  }

  /** Groups the subscriber's live transceivers by participant; a stream object changes only with its tracks. */
  function rebuildRemote() {
    const s = sub;
    if (!s) return;
    const byParticipant = new Map<string, MediaTrack[]>();
    for (const t of s.pc.getTransceivers()) {
      const slot = t.mid !== null ? s.layout.get(t.mid) : undefined;
      const track = t.receiver.track;
      if (!slot || !track) continue;
      const list = byParticipant.get(slot.participant_id) ?? [];
      list.push(track);
      byParticipant.set(slot.participant_id, list);
    }
    const next = new Map<string, MediaStreamLike>();
    let changed = byParticipant.size !== view.remote.size;
    for (const [id, list] of byParticipant) {
      const old = view.remote.get(id);
      const oldTracks = old?.getTracks() ?? [];
      if (old && oldTracks.length === list.length && list.every((t) => oldTracks.includes(t))) {
        next.set(id, old);
      } else {
        next.set(id, opts.createStream(list));
        changed = true;
      }
    }
    if (changed) set({ remote: next });
  }

  // --- publisher ------------------------------------------------------------------------------

  function closePublisher() {
    const p = pub;
    pub = null;
    p?.pc.close();
  }

  /** Publishes when in the call with a device on and no publisher yet. */
  function ensurePublisher() {
    if (pub || closed || view.status !== 'joined' || (!tracks.mic && !tracks.camera)) return;
    const gen = generation;
    const p: Publisher = {
      pc: null as unknown as PeerLike,
      audio: null as unknown as TransceiverLike,
      video: null as unknown as TransceiverLike,
      offerSent: false,
      answerSeen: false,
      remoteSet: false,
      localQueue: [],
      remoteQueue: [],
    };
    p.pc = opts.createPeer('publisher', {
      iceCandidate(c) {
        if (pub !== p) return;
        if (p.offerSent) trickle('publisher', c);
        else p.localQueue.push(c);
      },
      track() {},
      connectionState(state) {
        if (pub === p && state === 'failed') republishLater('the publisher connection failed');
      },
    });
    p.audio = p.pc.addTransceiver('audio', { direction: 'sendonly' });
    p.video = p.pc.addTransceiver('video', { direction: 'sendonly', sendEncodings: SIMULCAST_ENCODINGS.map((e) => ({ ...e })) });
    pub = p;
    void negotiatePublisher(p, gen);
  }

  async function negotiatePublisher(p: Publisher, gen: number) {
    const stale = () => pub !== p || gen !== generation || closed;
    try {
      await Promise.all([p.audio.sender.replaceTrack(tracks.mic), p.video.sender.replaceTrack(tracks.camera)]);
      if (stale()) return;
      const offer = await p.pc.createOffer();
      if (stale()) return;
      await p.pc.setLocalDescription(offer);
      if (stale()) return;
      if (!channel.sendFrame({ type: 'media.publish', jsep: { type: 'offer', sdp: offer.sdp } })) {
        closePublisher(); // the socket is gone: the next media.ready publishes again
        return;
      }
      p.offerSent = true;
      for (const c of p.localQueue.splice(0)) trickle('publisher', c);
    } catch (e) {
      if (!stale()) republishLater('the publish offer failed', e);
    }
  }

  async function onPublisherAnswer(jsep: SessionDescription) {
    const p = pub;
    if (!p || !p.offerSent || p.answerSeen) return;
    p.answerSeen = true;
    try {
      await p.pc.setRemoteDescription(jsep);
      if (pub !== p) return;
      p.remoteSet = true;
      for (const c of p.remoteQueue.splice(0)) addCandidate(p.pc, c);
      set({ publishing: true });
    } catch (e) {
      if (pub === p) republishLater('the publish answer could not be applied', e);
    }
  }

  function republishLater(why: string, e?: unknown) {
    log(`call: ${why}; publishing again soon`, e);
    channel.sendFrame({ type: 'media.unpublish' });
    closePublisher();
    if (view.publishing) set({ publishing: false });
    clear(republishTimer);
    republishTimer = setTimer(() => {
      republishTimer = null;
      ensurePublisher();
    }, CALL.republishMs);
  }

  function sendQualities() {
    if (view.status !== 'joined' || closed) return;
    for (const id of [...sentQuality.keys()]) if (!wantedQuality.has(id)) sentQuality.delete(id);
    for (const [id, quality] of wantedQuality) {
      if ((sentQuality.get(id) ?? 'high') === quality) continue;
      if (!channel.sendFrame({ type: 'media.quality', participant_id: id, quality })) return;
      sentQuality.set(id, quality);
    }
  }

  // --- local devices --------------------------------------------------------------------------

  function sendState() {
    const state = { mic: tracks.mic !== null, camera: tracks.camera !== null };
    if (state.mic === sentState.mic && state.camera === sentState.camera) return;
    if (channel.sendFrame({ type: 'media.state', ...state })) sentState = state;
  }

  function senderOf(p: Publisher, kind: DeviceKind) {
    return kind === 'camera' ? p.video.sender : p.audio.sender;
  }

  function replaceOnPublisher(kind: DeviceKind, track: MediaTrack | null) {
    const p = pub;
    if (!p) return;
    senderOf(p, kind)
      .replaceTrack(track)
      .catch((e: unknown) => {
        if (pub === p) republishLater('a track could not be replaced', e);
      });
  }

  /** Puts a started track in place of the old one (if any) and tells everyone. */
  function install(kind: DeviceKind, track: MediaTrack) {
    const old = tracks[kind];
    tracks[kind] = track;
    track.addEventListener?.('ended', () => {
      if (tracks[kind] === track) void session.setDevice(kind, false);
    });
    const deviceId = track.getSettings?.().deviceId ?? view[kind].deviceId;
    setLocal(kind, { wanted: true, live: true, starting: false, deviceId: deviceId || null });
    if (kind === 'camera') set({ localStream: opts.createStream([track]) });
    else startMeter(track);
    if (view.error?.device === kind) set({ error: null });
    if (pub) replaceOnPublisher(kind, track);
    else ensurePublisher();
    old?.stop();
    sendState();
    void session.refreshDevices(); // names appear once a device is allowed
  }

  function stopDevice(kind: DeviceKind) {
    const old = tracks[kind];
    tracks[kind] = null;
    setLocal(kind, { wanted: false, live: false, starting: false });
    if (kind === 'camera') set({ localStream: null });
    else stopMeter();
    if (old) replaceOnPublisher(kind, null);
    old?.stop();
    sendState();
  }

  function startMeter(track: MediaTrack) {
    stopMeter();
    meter = opts.meter?.(track) ?? null;
    if (!meter) return;
    const tick = () => {
      meterTimer = null;
      if (!meter) return;
      const talking = speaking.update(meter.level(), now());
      if (talking !== view.localTalking) set({ localTalking: talking });
      meterTimer = setTimer(tick, CALL.meterIntervalMs);
    };
    meterTimer = setTimer(tick, CALL.meterIntervalMs);
  }

  function stopMeter() {
    clear(meterTimer);
    meterTimer = null;
    meter?.close();
    meter = null;
    speaking.reset();
    if (view.localTalking) set({ localTalking: false });
  }

  function remember(kind: DeviceKind, deviceId: string | null) {
    choices[kind] = deviceId;
    try {
      opts.storage?.setItem(DEVICE_CHOICE_KEY, JSON.stringify(choices));
    } catch {
      // storage unavailable: remembered for this page only
    }
  }

  // --- frames ---------------------------------------------------------------------------------

  function onFrame(f: Frame) {
    if (closed) return;
    switch (f.type) {
      case 'hello':
        // A new connection is a new participant: everything starts again.
        teardown();
        sentState = { mic: false, camera: false };
        if (view.status === 'joined') set({ status: 'connecting' });
        join();
        sendState();
        return;
      case 'media.ready':
        joinPending = false;
        clear(joinTimer);
        clear(retryTimer);
        joinTimer = retryTimer = null;
        if (view.status !== 'joined') set({ status: 'joined' });
        ensurePublisher();
        sendQualities();
        return;
      case 'media.offer': {
        // Offers follow media.ready; one arriving after we left (a restart) is for a dead session.
        if (view.status !== 'joined') return;
        const jsep = parseJsep(f.jsep, 'offer');
        if (!jsep) return;
        const streams = parseStreams(f.streams);
        const gen = generation;
        if (!sub) sub = createSubscriber();
        const s = sub;
        subQueue = subQueue.then(() => applyOffer(s, gen, jsep, streams));
        return;
      }
      case 'media.answer': {
        const jsep = parseJsep(f.jsep, 'answer');
        if (jsep) void onPublisherAnswer(jsep);
        return;
      }
      case 'media.trickle': {
        const c = parseCandidate(f.candidate);
        if (c === undefined) return;
        if (f.target === 'subscriber') {
          if (sub?.remoteSet) addCandidate(sub.pc, c);
          else subRemoteQueue.push(c);
        } else if (f.target === 'publisher' && pub) {
          if (pub.remoteSet) addCandidate(pub.pc, c);
          else pub.remoteQueue.push(c);
        }
        return;
      }
      case 'media.talking': {
        if (!str(f.participant_id)) return;
        const talking = new Set(view.talking);
        if (f.talking === true) talking.add(f.participant_id);
        else talking.delete(f.participant_id);
        set({ talking, activeSpeaker: f.talking === true ? f.participant_id : view.activeSpeaker });
        return;
      }
      case 'participant.left': {
        if (!str(f.participant_id)) return;
        const id = f.participant_id;
        if (!view.remote.has(id) && !view.talking.has(id) && view.activeSpeaker !== id) return;
        const remote = new Map(view.remote);
        remote.delete(id);
        const talking = new Set(view.talking);
        talking.delete(id);
        set({ remote, talking, activeSpeaker: view.activeSpeaker === id ? null : view.activeSpeaker });
        return;
      }
      case 'media.closed':
        unavailable();
        return;
      case 'error':
        onError(str(f.code) ? f.code : '');
        return;
      default:
        return;
    }
  }

  function onError(code: string) {
    switch (code) {
      case 'media_unavailable':
        // While joining: the media server is off or down. In the call: it went away under us.
        if (view.status === 'joined') channel.sendFrame({ type: 'media.leave' });
        unavailable();
        return;
      case 'media_not_joined':
        // The server lost our session (a publish or answer came too late): join again.
        if (view.status === 'joined' && !joinPending) restart('the server says we are not in the call');
        return;
      case 'media_failed':
        // Janus refused a step. A publish waiting for its answer is tried again; the rest goes on.
        if (pub && pub.offerSent && !pub.answerSeen) republishLater('Janus refused the publish');
        return;
      default:
        return;
    }
  }

  const offFrame = channel.onFrame(onFrame);
  const offState = channel.subscribe(() => {
    const open = channel.getState().status === 'open';
    if (wasOpen && !open && !closed) {
      // The socket dropped: our Janus session is gone with it. The next hello joins again.
      teardown();
      clear(retryTimer);
      retryTimer = null;
      if (view.status === 'joined') set({ status: 'connecting' });
    }
    wasOpen = open;
  });

  const session: CallSession = {
    getView: () => view,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async setDevice(kind, on) {
      if (closed) return;
      if (!on) {
        requests[kind] += 1; // a capture still under way is dropped when it lands
        if (view[kind].wanted || tracks[kind]) stopDevice(kind);
        return;
      }
      if (tracks[kind] || view[kind].starting) return;
      const token = ++requests[kind];
      setLocal(kind, { wanted: true, starting: true });
      if (view.error?.device === kind) set({ error: null });
      let track: MediaTrack;
      try {
        track = await capture(opts.devices, kind, view[kind].deviceId, true);
      } catch (e) {
        if (token !== requests[kind] || closed) return;
        setLocal(kind, { wanted: false, starting: false });
        set({ error: { device: kind, problem: classifyCaptureError(e) } });
        return;
      }
      if (token !== requests[kind] || closed) {
        track.stop();
        return;
      }
      install(kind, track);
    },
    async chooseDevice(kind, chosen) {
      if (closed) return;
      const deviceId = chosen || null;
      remember(kind, deviceId);
      if (!tracks[kind]) {
        setLocal(kind, { deviceId });
        return;
      }
      if (view[kind].deviceId === deviceId) return;
      const token = ++requests[kind];
      setLocal(kind, { deviceId });
      let track: MediaTrack;
      try {
        track = await capture(opts.devices, kind, deviceId, false);
      } catch (e) {
        if (token !== requests[kind] || closed) return;
        // The old device keeps running.
        setLocal(kind, { deviceId: tracks[kind]?.getSettings?.().deviceId || null });
        set({ error: { device: kind, problem: classifyCaptureError(e) } });
        return;
      }
      if (token !== requests[kind] || closed || !tracks[kind]) {
        track.stop();
        return;
      }
      install(kind, track);
    },
    async refreshDevices() {
      if (!opts.devices || closed) return;
      try {
        const lists = deviceLists(await opts.devices.enumerateDevices());
        if (!closed && !sameDevices(lists, view.devices)) set({ devices: lists });
      } catch (e) {
        log('call: enumerateDevices failed', e);
      }
    },
    setQualities(wanted) {
      wantedQuality = wanted;
      sendQualities();
    },
    dismissError() {
      if (view.error) set({ error: null });
    },
    async inboundStats() {
      const s = sub;
      if (!s) return [];
      const report = await s.pc.getStats();
      const midOfTrack = new Map<string, string>();
      for (const t of s.pc.getTransceivers()) if (t.mid !== null && t.receiver.track) midOfTrack.set(t.receiver.track.id, t.mid);
      const out: InboundStat[] = [];
      report.forEach((r) => {
        if (r.type !== 'inbound-rtp') return;
        const mid = str(r.mid) ? r.mid : str(r.trackIdentifier) ? midOfTrack.get(r.trackIdentifier) : undefined;
        const slot = mid !== undefined ? s.layout.get(mid) : undefined;
        if (!slot) return;
        const kind = r.kind === 'audio' || r.kind === 'video' ? r.kind : slot.kind;
        const stat: InboundStat = { participant_id: slot.participant_id, kind, bytesReceived: num(r.bytesReceived) ? r.bytesReceived : 0 };
        if (num(r.framesDecoded)) stat.framesDecoded = r.framesDecoded;
        if (num(r.totalSamplesReceived)) stat.totalSamplesReceived = r.totalSamplesReceived;
        out.push(stat);
      });
      return out;
    },
    close() {
      if (closed) return;
      channel.sendFrame({ type: 'media.leave' });
      teardown();
      closed = true;
      clear(retryTimer);
      retryTimer = null;
      stopMeter();
      for (const kind of ['camera', 'mic'] as const) {
        tracks[kind]?.stop();
        tracks[kind] = null;
      }
      offFrame();
      offState();
      listeners.clear();
    },
  };

  // Created on an open socket (no hello to wait for): join now.
  if (wasOpen) join();
  void session.refreshDevices();
  return session;
}
