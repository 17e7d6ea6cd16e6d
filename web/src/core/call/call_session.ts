// The room's video call (docs/protocol.md, "Video chat"): two RTCPeerConnections to Kino's Janus SFU,
// signalled over the room socket. No React, no DOM: the socket, peer connections, capture, timers and
// the clock are injected (call_types.ts), so tests drive it with fakes.
//
// This file joins the parts to the socket's frames and keeps the call's lifecycle:
// - Joining: `media.join` after every hello (each socket is a new participant), and again
//   after `media.closed` or `media_unavailable` while the room is open: soon at first (the server moves
//   a call whose media server died to another one), then less often (`CALL.retryStepsMs`, then every
//   `CALL.retryMs`), and soon again once a join succeeded. Joining is with
//   camera and microphone off: nothing asks for a device until the person turns one on.
// - `media.closed`, a socket drop or a new hello close both connections and clear the remote streams;
//   devices that were on stay on and are published again after the next `media.ready`.
// The parts: subscriber.ts (what we receive), publisher.ts (what we send), local_devices.ts (camera
// and microphone, `media.state`), local_talking.ts, received_quality.ts, and the view in call_view.ts.
import { CALL, type LevelMeter, type MediaDevicesLike, type MediaStreamLike, type MediaTrack, type PeerFactory } from './call_types';
import { CallStore, initialCallView, leftPatch, talkingPatch, type CallView, type Quality } from './call_view';
import type { DeviceKind } from './capture';
import { LocalDevices, readDeviceChoices } from './local_devices';
import { LocalTalking } from './local_talking';
import { Publisher } from './publisher';
import { ReceivedQuality } from './received_quality';
import { parseCandidate, parseJsep, parseStreams, str, type Frame } from './signalling';
import { Subscriber, type InboundStat, type SubscriberHost } from './subscriber';

export * from './capture';
export type { CallStatus, CallView, DeviceError, LocalDevice, Quality } from './call_view';
export type { InboundStat } from './subscriber';
export { DEVICE_CHOICE_KEY } from './local_devices';

/** What the engine needs of the room socket (RoomSocket has all of it). */
export interface CallChannel {
  /** False when there is no open connection with a hello. */
  sendFrame(frame: Record<string, unknown>): boolean;
  onFrame(listener: (frame: Frame) => void): () => void;
  subscribe(listener: () => void): () => void;
  getState(): { status: string };
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

/** A session on `opts.channel`; it joins at once if the socket is open, else after the next hello. */
export function createCallSession(opts: CallSessionOptions): CallSession {
  const { channel } = opts;
  const setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const now = opts.now ?? (() => Date.now());
  const log = opts.log ?? (() => {});
  const send = (frame: Record<string, unknown>) => channel.sendFrame(frame);
  const createPeer: PeerFactory = (role, on) => opts.createPeer(role, on);
  const createStream = (tracks: MediaTrack[]) => opts.createStream(tracks);
  const choices = readDeviceChoices(opts.storage);
  const store = new CallStore(initialCallView(choices));

  let closed = false;
  let joinPending = false;
  let joinTimer: unknown = null;
  let retryTimer: unknown = null;
  let failedJoins = 0; // since the last media.ready: how long the next retry waits
  let wasOpen = channel.getState().status === 'open';
  const clear = (t: unknown) => {
    if (t !== null) clearTimer(t);
  };
  const joined = () => store.get().status === 'joined';

  const subscriberHost: SubscriberHost = {
    createPeer,
    createStream,
    send,
    remote: () => store.get().remote,
    setRemote: (remote) => store.set({ remote }),
    restart,
    log,
  };
  /** The subscriber of the current join; replaced by a fresh one whenever the call is torn down. */
  let subscriber = new Subscriber(subscriberHost);
  const publisher: Publisher = new Publisher({
    createPeer,
    send,
    canPublish: () => !closed && joined(),
    track: (kind) => devices.track(kind),
    setPublishing: (publishing) => {
      if (store.get().publishing !== publishing) store.set({ publishing });
    },
    setTimer,
    clearTimer,
    log,
  });
  const quality = new ReceivedQuality({ inCall: () => joined() && !closed, send });
  const talking = new LocalTalking({
    meter: opts.meter ? (track) => opts.meter?.(track) ?? null : undefined,
    setTimer,
    clearTimer,
    now,
    talking: () => store.get().localTalking,
    setTalking: (localTalking) => store.set({ localTalking }),
  });
  const devices: LocalDevices = new LocalDevices(
    { store, devices: opts.devices, createStream, storage: opts.storage, send, closed: () => closed, publisher, talking, log },
    choices,
  );

  // --- joining --------------------------------------------------------------------------------

  function join() {
    clear(retryTimer);
    retryTimer = null;
    if (closed) return;
    if (!send({ type: 'media.join' })) return; // no socket: the next hello joins
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
    const wait = CALL.retryStepsMs[failedJoins] ?? CALL.retryMs;
    failedJoins += 1;
    retryTimer = closed ? null : setTimer(join, wait);
  }

  /** The media server is off or gone: say so, and try again in a while. */
  function unavailable() {
    teardown();
    if (store.get().status !== 'unavailable') store.set({ status: 'unavailable' });
    scheduleJoin();
  }

  /** Something in our connections broke: leave and join again (a fresh subscriber, a new publish). */
  function restart(why: string, e?: unknown) {
    log(`call: ${why}; joining again`, e);
    send({ type: 'media.leave' });
    teardown();
    if (joined()) store.set({ status: 'connecting' });
    scheduleJoin();
  }

  /** Closes both connections and forgets everything remote. Local devices stay as they are. */
  function teardown() {
    clear(joinTimer);
    joinTimer = null;
    joinPending = false;
    subscriber.close();
    subscriber = new Subscriber(subscriberHost);
    publisher.reset();
    quality.forget();
    const view = store.get();
    if (view.remote.size > 0 || view.talking.size > 0 || view.activeSpeaker !== null || view.publishing) {
      store.set({ remote: new Map(), talking: new Set(), activeSpeaker: null, publishing: false });
    }
  }

  // --- frames ---------------------------------------------------------------------------------

  function onFrame(f: Frame) {
    if (closed) return;
    switch (f.type) {
      case 'hello':
        // A new connection is a new participant: everything starts again.
        teardown();
        devices.forgetSentState();
        if (joined()) store.set({ status: 'connecting' });
        join();
        devices.sendState();
        return;
      case 'media.ready':
        joinPending = false;
        clear(joinTimer);
        clear(retryTimer);
        joinTimer = retryTimer = null;
        failedJoins = 0;
        if (!joined()) store.set({ status: 'joined' });
        publisher.ensure();
        quality.send();
        return;
      case 'media.offer': {
        // Offers follow media.ready; one arriving after we left (a restart) is for a dead session.
        if (!joined()) return;
        const jsep = parseJsep(f.jsep, 'offer');
        if (jsep) subscriber.offer(jsep, parseStreams(f.streams));
        return;
      }
      case 'media.answer': {
        const jsep = parseJsep(f.jsep, 'answer');
        if (jsep) void publisher.onAnswer(jsep);
        return;
      }
      case 'media.trickle': {
        const c = parseCandidate(f.candidate);
        if (c === undefined) return;
        if (f.target === 'subscriber') subscriber.addRemoteCandidate(c);
        else if (f.target === 'publisher') publisher.addRemoteCandidate(c);
        return;
      }
      case 'media.talking':
        if (str(f.participant_id)) store.set(talkingPatch(store.get(), f.participant_id, f.talking === true));
        return;
      case 'participant.left': {
        const patch = str(f.participant_id) ? leftPatch(store.get(), f.participant_id) : null;
        if (patch) store.set(patch);
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
        if (joined()) send({ type: 'media.leave' });
        unavailable();
        return;
      case 'media_not_joined':
        // The server lost our session (a publish or answer came too late): join again.
        if (joined() && !joinPending) restart('the server says we are not in the call');
        return;
      case 'media_failed':
        // Janus refused a step. A publish waiting for its answer is tried again; the rest goes on.
        publisher.onRefused();
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
      if (joined()) store.set({ status: 'connecting' });
    }
    wasOpen = open;
  });

  const session: CallSession = {
    getView: () => store.get(),
    subscribe: (listener) => store.subscribe(listener),
    setDevice: (kind, on) => devices.setDevice(kind, on),
    chooseDevice: (kind, deviceId) => devices.chooseDevice(kind, deviceId),
    refreshDevices: () => devices.refreshDevices(),
    setQualities: (wanted) => quality.want(wanted),
    dismissError() {
      if (store.get().error) store.set({ error: null });
    },
    inboundStats: () => subscriber.inboundStats(),
    close() {
      if (closed) return;
      send({ type: 'media.leave' });
      teardown();
      closed = true;
      clear(retryTimer);
      retryTimer = null;
      devices.close();
      offFrame();
      offState();
      store.clearListeners();
    },
  };

  // Created on an open socket (no hello to wait for): join now.
  if (wasOpen) join();
  void session.refreshDevices();
  return session;
}
