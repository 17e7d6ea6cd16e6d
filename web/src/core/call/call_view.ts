// What the call shows (CallView) and the one store that holds it: the engine's parts patch the view,
// the UI reads it (useSyncExternalStore). No React, no DOM.
import type { MediaStreamLike } from './call_types';
import type { Carried } from './handover';
import { NO_DEVICES, type DeviceKind, type DeviceLists, type DeviceProblem } from './capture';

/**
 * `connecting`: joining (or the socket is reconnecting); `joined`: in the call; `unavailable`: the
 * media server is down or gone (chat and the film go on), retried by itself; `off`: this server has
 * no video chat at all (`media_disabled`), not retried.
 */
export type CallStatus = 'connecting' | 'joined' | 'unavailable' | 'off';

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
  /**
   * Participants whose stream in `remote` still comes from the previous connection (a reconnect while
   * the new call forms: handover.ts), with what that connection said they send.
   */
  carried: ReadonlyMap<string, Carried>;
  /** Participants the server says are speaking. */
  talking: ReadonlySet<string>;
  /** Who spoke last (stays after they stop, until someone else speaks). */
  activeSpeaker: string | null;
  devices: DeviceLists;
  error: DeviceError | null;
}

/** Which simulcast layer of someone's video to receive (`media.quality`); the server's default is `high`. */
export type Quality = 'low' | 'medium' | 'high';

/** The chosen device per kind (null = the browser's default). */
export type DeviceChoices = Record<DeviceKind, string | null>;

/** A new call: connecting, both devices off (set to the chosen ones), nobody else in it. */
export function initialCallView(choices: DeviceChoices): CallView {
  const off = (deviceId: string | null): LocalDevice => ({ wanted: false, live: false, starting: false, deviceId });
  return {
    status: 'connecting',
    publishing: false,
    camera: off(choices.camera),
    mic: off(choices.mic),
    localStream: null,
    localTalking: false,
    remote: new Map(),
    carried: new Map(),
    talking: new Set(),
    activeSpeaker: null,
    devices: NO_DEVICES,
    error: null,
  };
}

/** The view of a call that has not started (the UI's placeholder without a session). */
export const IDLE_CALL_VIEW: CallView = initialCallView({ camera: null, mic: null });

/** The patch for `media.talking`: lights or dims a participant; one who starts speaking becomes the active speaker. */
export function talkingPatch(view: CallView, participantId: string, talking: boolean): Partial<CallView> {
  const next = new Set(view.talking);
  if (talking) next.add(participantId);
  else next.delete(participantId);
  return { talking: next, activeSpeaker: talking ? participantId : view.activeSpeaker };
}

/** The patch for `participant.left`: their streams and speaking state go; null when the view has none of them. */
export function leftPatch(view: CallView, participantId: string): Partial<CallView> | null {
  if (!view.remote.has(participantId) && !view.talking.has(participantId) && view.activeSpeaker !== participantId) return null;
  const remote = new Map(view.remote);
  remote.delete(participantId);
  const talking = new Set(view.talking);
  talking.delete(participantId);
  return { remote, talking, activeSpeaker: view.activeSpeaker === participantId ? null : view.activeSpeaker };
}

/**
 * The current CallView and its listeners. Each `set` makes a new view object (the old one is never
 * changed) and calls every listener synchronously.
 */
export class CallStore {
  private view: CallView;
  private readonly listeners = new Set<() => void>();

  constructor(view: CallView) {
    this.view = view;
  }

  get(): CallView {
    return this.view;
  }

  /** Calls `listener` after every change until the returned function is called. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(patch: Partial<CallView>): void {
    this.view = { ...this.view, ...patch };
    for (const l of [...this.listeners]) l();
  }

  /** Patches the camera's or the microphone's LocalDevice. */
  setDevice(kind: DeviceKind, patch: Partial<LocalDevice>): void {
    this.set(kind === 'camera' ? { camera: { ...this.view.camera, ...patch } } : { mic: { ...this.view.mic, ...patch } });
  }

  /** Forgets every listener (the session closed). */
  clearListeners(): void {
    this.listeners.clear();
  }
}
