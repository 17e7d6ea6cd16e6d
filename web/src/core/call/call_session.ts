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
//   `media_disabled` (this server has no video chat) is final: status `off`, no retries.
// - A socket drop (or a new hello) hands the call over (handover.ts): the old connections keep playing
//   until everyone flows in the call joined on the next socket, then close. `media.closed` closes both
//   at once and clears the remote streams. Devices that were on stay on and are published again after
//   the next `media.ready`.
// The parts: subscriber.ts (what we receive), publisher.ts (what we send), local_devices.ts (camera
// and microphone, `media.state`), local_talking.ts, received_quality.ts, and the view in call_view.ts.
import { CALL, type LevelMeter, type MediaDevicesLike, type MediaStreamLike, type MediaTrack, type PeerFactory } from './call_types';
import { CallStore, initialCallView, leftPatch, talkingPatch, type CallView, type Quality } from './call_view';
import type { DeviceKind } from './capture';
import { Handover, type Carried } from './handover';
import { LocalDevices, readDeviceChoices } from './local_devices';
import { LocalTalking } from './local_talking';
import { Publisher } from './publisher';
import { ReceivedQuality } from './received_quality';
import { Roster } from './roster';
import { parseCandidate, parseJsep, parseStreams, str, type Frame } from './signalling';
import { Subscriber, type InboundStat } from './subscriber';

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
  /**
   * The `inbound-rtp` stats of the streams on tiles, by participant (tests and the benchmark): the
   * subscriber connection's, and while handing over, the old one's for tiles that still play it.
   */
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

  const roster = new Roster();
  /** The streams of the current join's subscriber, by participant (the view adds a handover's). */
  let live = new Map<string, MediaStreamLike>();
  /** The previous socket's call, still playing while this one forms. */
  let handover: Handover | null = null;
  let handoverTimer: unknown = null;
  let pollTimer: unknown = null;
  /** Old publishers in their grace period, with the timer that closes each. */
  const oldPublishers = new Map<Handover, unknown>();

  /** A subscriber whose callbacks act only while it is the current one or the handover's. */
  function newSubscriber(): Subscriber {
    const sub: Subscriber = new Subscriber({
      createPeer,
      createStream,
      send: (frame) => sub === subscriber && send(frame),
      remote: () => (sub === subscriber ? live : handover?.subscriber === sub ? handover.remote : new Map()),
      setRemote: (remote) => {
        if (sub === subscriber) live = remote;
        else if (handover?.subscriber === sub) handover.remote = remote;
        else return;
        render();
      },
      restart: (why, e) => {
        if (sub === subscriber) restart(why, e);
        else if (handover?.subscriber === sub) endHandover();
      },
      log,
    });
    return sub;
  }
  /** The subscriber of the current join; replaced by a fresh one whenever the call is torn down. */
  let subscriber = newSubscriber();
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

  /**
   * Closes both connections and forgets everything remote; a handover ends too unless `keepHandover`.
   * Local devices stay as they are.
   */
  function teardown(keepHandover = false) {
    clear(joinTimer);
    joinTimer = null;
    joinPending = false;
    subscriber.close();
    subscriber = newSubscriber();
    publisher.reset();
    quality.forget();
    live = new Map();
    if (!keepHandover) endHandover();
    const view = store.get();
    if (view.talking.size > 0 || view.activeSpeaker !== null || view.publishing) {
      store.set({ talking: new Set(), activeSpeaker: null, publishing: false });
    }
    render();
  }

  // --- handing over across a reconnect ----------------------------------------------------------

  /**
   * The socket dropped (or was replaced): a call we were in keeps its connections as a handover, and
   * the current join's parts start afresh. A handover already running (a second drop before the new
   * call flowed) is kept; the half-formed call after it is dropped.
   */
  function retire() {
    if (!handover && joined()) {
      const h = new Handover(subscriber, publisher.detach(), live, roster.snapshot());
      subscriber = newSubscriber(); // the old one is the handover's now
      if (h.useful) {
        handover = h;
        handoverTimer = setTimer(endHandover, CALL.handoverMaxMs);
        pollLater();
      } else {
        h.closeSubscriber();
      }
    } else {
      handover?.dropped();
    }
    teardown(true);
  }

  function pollLater() {
    clear(pollTimer);
    pollTimer = setTimer(() => {
      pollTimer = null;
      void poll();
    }, CALL.handoverPollMs);
  }

  /** Who flows in the new call now: their tiles switch over; the handover ends once everyone did. */
  async function poll() {
    const h = handover;
    if (!h) return;
    const stats = await subscriber.inboundStats().catch(() => [] as InboundStat[]);
    if (handover !== h) return;
    if (h.notice(stats, roster)) render();
    if (h.complete(roster)) endHandover();
    else pollLater();
  }

  /** Closes the old subscriber now and our old publisher after its grace period. */
  function endHandover() {
    const h = handover;
    if (!h) return;
    handover = null;
    clear(handoverTimer);
    clear(pollTimer);
    handoverTimer = pollTimer = null;
    h.closeSubscriber();
    oldPublishers.set(
      h,
      setTimer(() => {
        oldPublishers.delete(h);
        h.closePublisher();
      }, CALL.handoverPublisherGraceMs),
    );
    render();
  }

  /** The view's remote streams: the current join's, and a handover's where the new ones do not flow yet. */
  function render() {
    const next = handover ? handover.compose(live, roster) : { remote: live, carried: new Map<string, Carried>() };
    const view = store.get();
    if (sameStreams(view.remote, next.remote) && sameCarried(view.carried, next.carried)) return;
    store.set({ remote: next.remote, carried: next.carried });
  }

  // --- frames ---------------------------------------------------------------------------------

  function onFrame(f: Frame) {
    if (closed) return;
    // A new connection is a new participant: the call is joined again (the old one hands over).
    if (f.type === 'hello') retire();
    roster.apply(f);
    switch (f.type) {
      case 'hello':
        handover?.rejoin();
        devices.forgetSentState();
        if (joined()) store.set({ status: 'connecting' });
        join();
        devices.sendState();
        render();
        return;
      case 'participant.joined':
      case 'media.state':
        if (handover) render();
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
        if (str(f.participant_id)) live.delete(f.participant_id);
        const patch = str(f.participant_id) ? leftPatch(store.get(), f.participant_id) : null;
        if (patch) store.set(patch);
        if (handover) render();
        return;
      }
      case 'media.closed':
        if (f.reason === 'media_server_lost') {
          // The server places the call on another media server at the next join: join at once.
          teardown();
          store.set({ status: 'unavailable' });
          join();
        } else {
          unavailable();
        }
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
      case 'media_disabled':
        // This server has no video chat: say so once, never poll (a new hello asks again).
        teardown();
        store.set({ status: 'off' });
        return;
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
      // The socket dropped. Our Janus sessions may outlive it (handover.ts); the next hello joins again.
      retire();
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
    async inboundStats() {
      const h = handover;
      const own = await subscriber.inboundStats();
      if (!h) return own;
      const carried = store.get().carried;
      return [...own.filter((s) => !carried.has(s.participant_id)), ...(await h.shownStats())];
    },
    close() {
      if (closed) return;
      send({ type: 'media.leave' });
      teardown();
      for (const [h, timer] of oldPublishers) {
        clear(timer);
        h.closePublisher();
      }
      oldPublishers.clear();
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

function sameStreams(a: ReadonlyMap<string, MediaStreamLike>, b: ReadonlyMap<string, MediaStreamLike>): boolean {
  return a.size === b.size && [...a].every(([id, stream]) => b.get(id) === stream);
}

function sameCarried(a: ReadonlyMap<string, Carried>, b: ReadonlyMap<string, Carried>): boolean {
  return a.size === b.size && [...a].every(([id, c]) => b.get(id)?.camera === c.camera && b.get(id)?.mic === c.mic);
}
