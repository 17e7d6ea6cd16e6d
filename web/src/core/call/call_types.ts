// The small slices of WebRTC and media capture the call engine uses, so tests can hand it fakes. The
// browser's RTCPeerConnection, MediaStream and MediaStreamTrack are wrapped to these in
// features/rooms/call/browser_call.ts. Types only, plus the tuning values.

/** A MediaStreamTrack. */
export interface MediaTrack {
  readonly kind: string;
  readonly id: string;
  stop(): void;
  /** The capture settings (the device in use); absent on fakes. */
  getSettings?(): { deviceId?: string };
  /** `ended`: the device went away or the permission was revoked. */
  addEventListener?(type: 'ended', listener: () => void): void;
}

/** A MediaStream: what `<video>` / `<audio>` play. */
export interface MediaStreamLike {
  getTracks(): MediaTrack[];
}

export interface RtpSenderLike {
  replaceTrack(track: MediaTrack | null): Promise<void>;
}

export interface TransceiverLike {
  readonly mid: string | null;
  readonly sender: RtpSenderLike;
  readonly receiver: { readonly track: MediaTrack };
}

export interface SimulcastEncoding {
  rid: string;
  active: boolean;
  maxBitrate: number;
  scaleResolutionDownBy: number;
}

export interface TransceiverInit {
  direction: 'sendonly' | 'recvonly';
  sendEncodings?: SimulcastEncoding[];
}

export interface SessionDescription {
  type: 'offer' | 'answer';
  sdp: string;
}

/** One entry of a getStats() report (an `inbound-rtp`, …): read with care, fields vary by browser. */
export type StatsEntry = Record<string, unknown>;

export interface StatsReportLike {
  forEach(fn: (entry: StatsEntry) => void): void;
}

/** An RTCPeerConnection. */
export interface PeerLike {
  addTransceiver(kind: 'audio' | 'video', init: TransceiverInit): TransceiverLike;
  getTransceivers(): TransceiverLike[];
  createOffer(): Promise<SessionDescription>;
  createAnswer(): Promise<SessionDescription>;
  setLocalDescription(d: SessionDescription): Promise<void>;
  setRemoteDescription(d: SessionDescription): Promise<void>;
  /** `null`: the end of the remote candidates. */
  addIceCandidate(candidate: RTCIceCandidateInit | null): Promise<void>;
  getStats(): Promise<StatsReportLike>;
  close(): void;
}

/** What a peer connection reports back; called only until `close()`. */
export interface PeerEvents {
  /** A local ICE candidate (`null` at the end of gathering). */
  iceCandidate(candidate: RTCIceCandidateInit | null): void;
  /** A remote track appeared on a transceiver (subscriber). */
  track(transceiver: TransceiverLike): void;
  /** `connectionState` changed (`connected`, `failed`, …). */
  connectionState(state: string): void;
}

export type PeerRole = 'publisher' | 'subscriber';
export type PeerFactory = (role: PeerRole, on: PeerEvents) => PeerLike;

export interface DeviceInfoLike {
  deviceId: string;
  kind: string;
  label: string;
}

/** navigator.mediaDevices. */
export interface MediaDevicesLike {
  getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStreamLike>;
  enumerateDevices(): Promise<DeviceInfoLike[]>;
}

/** The loudness of a microphone track, for the "you are speaking" ring. */
export interface LevelMeter {
  /** The current level, 0–1 (RMS of the latest samples). */
  level(): number;
  close(): void;
}

/** The publisher's video encodings: three simulcast layers (full, half, quarter size). */
export const SIMULCAST_ENCODINGS: readonly SimulcastEncoding[] = [
  { rid: 'h', active: true, maxBitrate: 900_000, scaleResolutionDownBy: 1 },
  { rid: 'm', active: true, maxBitrate: 300_000, scaleResolutionDownBy: 2 },
  { rid: 'l', active: true, maxBitrate: 100_000, scaleResolutionDownBy: 4 },
];

/**
 * Camera capture: 640×360 is plenty for tiles (the largest is about 400 px wide) and spares the CPU of
 * every sender (and, through smaller layers, every receiver) in a full room.
 */
export const CAMERA_CONSTRAINTS: MediaTrackConstraints = { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 24, max: 30 } };
/** Microphone capture: the room plays a film, so echo cancellation matters. */
export const MIC_CONSTRAINTS: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

export const CALL = {
  /**
   * After `media.closed` or `media_unavailable`, `media.join` again after these waits (the first
   * failure, the second), then every `retryMs`; a `media.ready` starts over. The first is short: a
   * call whose media server died is placed on another one at the next join.
   */
  retryStepsMs: [300, 1_500] as readonly number[],
  retryMs: 5_000,
  /** A `media.join` without `media.ready` after this long counts as unavailable (and is retried). */
  joinTimeoutMs: 10_000,
  /** A publish Janus refused is tried again after this long. */
  republishMs: 5_000,
  /**
   * After a socket drop the old connections keep playing (handover.ts) for at most this long: well
   * inside the time Janus keeps a gone Kino node's sessions (`reclaim_session_timeout`, 20 s).
   */
  handoverMaxMs: 12_000,
  /** While handing over, the new call's stats are read this often (who flows there already). */
  handoverPollMs: 250,
  /** Our old publisher outlives the handover by this long: the others switch to our new one on their own. */
  handoverPublisherGraceMs: 3_000,
  /** The local speaking meter is read this often. */
  meterIntervalMs: 100,
} as const;
