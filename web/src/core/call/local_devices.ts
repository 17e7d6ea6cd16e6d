// Our camera and microphone in the call: turning them on and off, switching devices, and telling the
// room (`media.state`). No React, no DOM: the devices come in as MediaDevicesLike.
//
// - Nothing is asked of the browser until the person turns a device on. A device goes off by stopping
//   its track (the camera light goes out); it goes back on with a new capture.
// - Every new or stopped track goes to the Publisher (replaceTrack, or a first publish).
// - A capture that was overtaken by a newer request (off, on again, another device) is dropped.
// - The chosen devices are remembered in storage (DEVICE_CHOICE_KEY).
import type { MediaDevicesLike, MediaStreamLike, MediaTrack } from './call_types';
import type { CallStore, DeviceChoices } from './call_view';
import { capture, classifyCaptureError, deviceLists, sameDevices, type DeviceKind } from './capture';
import type { LocalTalking } from './local_talking';
import type { Publisher } from './publisher';
import { isRecord, str } from './signalling';

export const DEVICE_CHOICE_KEY = 'kino.callDevices';

type ChoiceStorage = Pick<Storage, 'getItem' | 'setItem'> | null | undefined;

/** The devices remembered in `storage`; the browser's defaults when there are none or they are unreadable. */
export function readDeviceChoices(storage: ChoiceStorage): DeviceChoices {
  try {
    const raw = storage?.getItem(DEVICE_CHOICE_KEY);
    const v: unknown = raw ? JSON.parse(raw) : null;
    if (isRecord(v)) return { camera: str(v.camera) ? v.camera : null, mic: str(v.mic) ? v.mic : null };
  } catch {
    // unreadable: the defaults
  }
  return { camera: null, mic: null };
}

/** What LocalDevices needs of its session. */
export interface LocalDevicesHost {
  store: CallStore;
  /** navigator.mediaDevices; null where the browser has none (plain http). */
  devices: MediaDevicesLike | null;
  createStream(tracks: MediaTrack[]): MediaStreamLike;
  /** Where the choices are remembered; errors are ignored. */
  storage: ChoiceStorage;
  /** Sends a frame on the room socket; false when there is none. */
  send(frame: Record<string, unknown>): boolean;
  /** The session is closed: requests do nothing. */
  closed(): boolean;
  publisher: Pick<Publisher, 'active' | 'ensure' | 'replaceTrack'>;
  /** Measures the microphone while it is on. */
  talking: Pick<LocalTalking, 'start' | 'stop'>;
  log(message: string, error?: unknown): void;
}

export class LocalDevices {
  private readonly tracks: Record<DeviceKind, MediaTrack | null> = { camera: null, mic: null };
  /** Bumped by each on/off/switch request, so a slow capture that was overtaken is dropped. */
  private readonly requests: Record<DeviceKind, number> = { camera: 0, mic: 0 };
  /** The last `media.state` the server has from this connection. */
  private sentState = { mic: false, camera: false };

  /** `choices` are the remembered devices (readDeviceChoices), as the view starts with them. */
  constructor(
    private readonly host: LocalDevicesHost,
    private readonly choices: DeviceChoices,
  ) {}

  /** The running track of a device; null while it is off (or still starting). */
  track(kind: DeviceKind): MediaTrack | null {
    return this.tracks[kind];
  }

  /** Turns a device on (asking the browser for it) or off; a failure shows as the view's `error`. */
  async setDevice(kind: DeviceKind, on: boolean): Promise<void> {
    const { host, tracks, requests } = this;
    const { store } = host;
    if (host.closed()) return;
    if (!on) {
      requests[kind] += 1; // a capture still under way is dropped when it lands
      if (store.get()[kind].wanted || tracks[kind]) this.stop(kind);
      return;
    }
    if (tracks[kind] || store.get()[kind].starting) return;
    const token = ++requests[kind];
    store.setDevice(kind, { wanted: true, starting: true });
    if (store.get().error?.device === kind) store.set({ error: null });
    let track: MediaTrack;
    try {
      track = await capture(host.devices, kind, store.get()[kind].deviceId, true);
    } catch (e) {
      if (token !== requests[kind] || host.closed()) return;
      store.setDevice(kind, { wanted: false, starting: false });
      store.set({ error: { device: kind, problem: classifyCaptureError(e) } });
      return;
    }
    if (token !== requests[kind] || host.closed()) {
      track.stop();
      return;
    }
    this.install(kind, track);
  }

  /** Chooses a device ('' = the browser's default) and remembers it; a running one is switched over at once. */
  async chooseDevice(kind: DeviceKind, chosen: string): Promise<void> {
    const { host, tracks, requests } = this;
    const { store } = host;
    if (host.closed()) return;
    const deviceId = chosen || null;
    this.remember(kind, deviceId);
    if (!tracks[kind]) {
      store.setDevice(kind, { deviceId });
      return;
    }
    if (store.get()[kind].deviceId === deviceId) return;
    const token = ++requests[kind];
    store.setDevice(kind, { deviceId });
    let track: MediaTrack;
    try {
      track = await capture(host.devices, kind, deviceId, false);
    } catch (e) {
      if (token !== requests[kind] || host.closed()) return;
      // The old device keeps running.
      store.setDevice(kind, { deviceId: tracks[kind]?.getSettings?.().deviceId || null });
      store.set({ error: { device: kind, problem: classifyCaptureError(e) } });
      return;
    }
    if (token !== requests[kind] || host.closed() || !tracks[kind]) {
      track.stop();
      return;
    }
    this.install(kind, track);
  }

  /** Reads the device lists again into the view (names appear once a device was allowed). */
  async refreshDevices(): Promise<void> {
    const { host } = this;
    if (!host.devices || host.closed()) return;
    try {
      const lists = deviceLists(await host.devices.enumerateDevices());
      if (!host.closed() && !sameDevices(lists, host.store.get().devices)) host.store.set({ devices: lists });
    } catch (e) {
      host.log('call: enumerateDevices failed', e);
    }
  }

  /** Sends `media.state` when what is on differs from what the server last heard. */
  sendState(): void {
    const state = { mic: this.tracks.mic !== null, camera: this.tracks.camera !== null };
    if (state.mic === this.sentState.mic && state.camera === this.sentState.camera) return;
    if (this.host.send({ type: 'media.state', ...state })) this.sentState = state;
  }

  /** A new connection (hello): the server has heard nothing from it yet. */
  forgetSentState(): void {
    this.sentState = { mic: false, camera: false };
  }

  /** Stops both devices for good (the session closed); the view is left as it is. */
  close(): void {
    this.host.talking.stop();
    for (const kind of ['camera', 'mic'] as const) {
      this.tracks[kind]?.stop();
      this.tracks[kind] = null;
    }
  }

  /** Puts a started track in place of the old one (if any) and tells everyone. */
  private install(kind: DeviceKind, track: MediaTrack): void {
    const { host, tracks } = this;
    const { store } = host;
    const old = tracks[kind];
    tracks[kind] = track;
    track.addEventListener?.('ended', () => {
      if (tracks[kind] === track) void this.setDevice(kind, false);
    });
    const deviceId = track.getSettings?.().deviceId ?? store.get()[kind].deviceId;
    store.setDevice(kind, { wanted: true, live: true, starting: false, deviceId: deviceId || null });
    if (kind === 'camera') store.set({ localStream: host.createStream([track]) });
    else host.talking.start(track);
    if (store.get().error?.device === kind) store.set({ error: null });
    if (host.publisher.active) host.publisher.replaceTrack(kind, track);
    else host.publisher.ensure();
    old?.stop();
    this.sendState();
    void this.refreshDevices(); // names appear once a device is allowed
  }

  private stop(kind: DeviceKind): void {
    const { host, tracks } = this;
    const old = tracks[kind];
    tracks[kind] = null;
    host.store.setDevice(kind, { wanted: false, live: false, starting: false });
    if (kind === 'camera') host.store.set({ localStream: null });
    else host.talking.stop();
    if (old) host.publisher.replaceTrack(kind, null);
    old?.stop();
    this.sendState();
  }

  private remember(kind: DeviceKind, deviceId: string | null): void {
    this.choices[kind] = deviceId;
    try {
      this.host.storage?.setItem(DEVICE_CHOICE_KEY, JSON.stringify(this.choices));
    } catch {
      // storage unavailable: remembered for this page only
    }
  }
}
