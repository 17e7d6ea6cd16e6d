// Camera and microphone capture for the call: constraints, the one track a capture is for, why a capture
// failed (in words the UI can explain), and the device lists for the pickers. No DOM: the devices come
// in as MediaDevicesLike.
import { CAMERA_CONSTRAINTS, MIC_CONSTRAINTS, type DeviceInfoLike, type MediaDevicesLike, type MediaTrack } from './call_types';

export type DeviceKind = 'camera' | 'mic';

/**
 * Why a device could not be started: `denied` (the person or the browser said no), `no_device`,
 * `busy` (another app holds it), `insecure` (no camera API here: a plain-http page), `failed` (other).
 */
export type DeviceProblem = 'denied' | 'no_device' | 'busy' | 'insecure' | 'failed';

export interface DeviceChoice {
  id: string;
  /** Empty before the person allowed the device (browsers hide names until then). */
  label: string;
}

export interface DeviceLists {
  cameras: readonly DeviceChoice[];
  mics: readonly DeviceChoice[];
  /** True when the browser listed its devices and none of them is a microphone (unknown = absent). */
  noMic?: boolean;
}

export const NO_DEVICES: DeviceLists = { cameras: [], mics: [] };

/** Thrown by `capture` when the page has no `navigator.mediaDevices` (not a secure context). */
export class InsecureContextError extends Error {
  override name = 'InsecureContextError';
}

/** getUserMedia's error names → what to tell the person. */
export function classifyCaptureError(e: unknown): DeviceProblem {
  const name = e && typeof e === 'object' && 'name' in e ? String((e as { name: unknown }).name) : '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'no_device';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'busy';
    case 'InsecureContextError':
      return 'insecure';
    default:
      return 'failed';
  }
}

function constraints(kind: DeviceKind, deviceId: string | null): MediaStreamConstraints {
  const base = kind === 'camera' ? CAMERA_CONSTRAINTS : MIC_CONSTRAINTS;
  const c: MediaTrackConstraints = deviceId ? { ...base, deviceId: { exact: deviceId } } : { ...base };
  return kind === 'camera' ? { video: c } : { audio: c };
}

/**
 * Starts one device and returns its track (any other track the browser handed over is stopped). A
 * remembered `deviceId` that is gone falls back to the default device.
 */
export async function capture(devices: MediaDevicesLike | null, kind: DeviceKind, deviceId: string | null, fallback: boolean): Promise<MediaTrack> {
  if (!devices) throw new InsecureContextError('navigator.mediaDevices is missing');
  let stream;
  try {
    stream = await devices.getUserMedia(constraints(kind, deviceId));
  } catch (e) {
    const problem = classifyCaptureError(e);
    if (!deviceId || !fallback || problem !== 'no_device') throw e;
    stream = await devices.getUserMedia(constraints(kind, null));
  }
  const want = kind === 'camera' ? 'video' : 'audio';
  const tracks = stream.getTracks();
  const track = tracks.find((t) => t.kind === want);
  for (const t of tracks) if (t !== track) t.stop();
  if (!track) throw Object.assign(new Error(`no ${want} track`), { name: 'NotFoundError' });
  return track;
}

/** The cameras and microphones, without the placeholders browsers list before permission (no id). */
export function deviceLists(infos: readonly DeviceInfoLike[]): DeviceLists {
  const pick = (kind: string) => infos.filter((d) => d.kind === kind && d.deviceId !== '').map((d) => ({ id: d.deviceId, label: d.label }));
  const lists: DeviceLists = { cameras: pick('videoinput'), mics: pick('audioinput') };
  // Before any permission a browser lists each kind it has once, without an id: none at all = no microphone.
  return infos.some((d) => d.kind === 'audioinput') ? lists : { ...lists, noMic: true };
}

export function sameDevices(a: DeviceLists, b: DeviceLists): boolean {
  const same = (x: readonly DeviceChoice[], y: readonly DeviceChoice[]) => x.length === y.length && x.every((d, i) => d.id === y[i]?.id && d.label === y[i]?.label);
  return same(a.cameras, b.cameras) && same(a.mics, b.mics) && a.noMic === b.noMic;
}
