// The browser's WebRTC and capture behind the call engine's small interfaces (core/call/call_types.ts).
import type { LevelMeter, MediaDevicesLike, MediaTrack, PeerFactory, SessionDescription } from '../../../core/call/call_types';
import { createCallSession, type CallChannel, type CallSession } from '../../../core/call/call_session';

/** Whether this browser can take part at all (RTCPeerConnection and MediaStream exist). */
export function callSupported(): boolean {
  return typeof window !== 'undefined' && typeof window.RTCPeerConnection === 'function' && typeof window.MediaStream === 'function';
}

function description(d: RTCSessionDescriptionInit, type: 'offer' | 'answer'): SessionDescription {
  return { type, sdp: d.sdp ?? '' };
}

/** Peer connections to Kino's Janus: bundled, host candidates only (Janus sends its own by trickle). */
export const browserPeer: PeerFactory = (_role, on) => {
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
  pc.onicecandidate = (e) => on.iceCandidate(e.candidate ? e.candidate.toJSON() : null);
  pc.ontrack = (e) => on.track(e.transceiver);
  pc.onconnectionstatechange = () => on.connectionState(pc.connectionState);
  return {
    addTransceiver: (kind, init) => pc.addTransceiver(kind, init),
    getTransceivers: () => pc.getTransceivers(),
    createOffer: async () => description(await pc.createOffer(), 'offer'),
    createAnswer: async () => description(await pc.createAnswer(), 'answer'),
    setLocalDescription: (d) => pc.setLocalDescription(d),
    setRemoteDescription: (d) => pc.setRemoteDescription(d),
    // No argument: the end of the remote candidates.
    addIceCandidate: (c) => (c ? pc.addIceCandidate(c) : pc.addIceCandidate()),
    getStats: () => pc.getStats(),
    close() {
      pc.onicecandidate = null;
      pc.ontrack = null;
      pc.onconnectionstatechange = null;
      pc.close();
    },
  };
};

/** RMS loudness of a microphone track through an AnalyserNode; null where Web Audio is missing. */
export function audioLevelMeter(track: MediaTrack): LevelMeter | null {
  const w = window as unknown as { AudioContext?: typeof AudioContext; webkitAudioContext?: typeof AudioContext };
  const Ctx = w.AudioContext ?? w.webkitAudioContext;
  if (!Ctx) return null;
  try {
    const ctx = new Ctx();
    const source = ctx.createMediaStreamSource(new MediaStream([track as MediaStreamTrack]));
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 512;
    source.connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    if (ctx.state === 'suspended') ctx.resume().catch(() => {});
    return {
      level() {
        analyser.getFloatTimeDomainData(samples);
        let sum = 0;
        for (const v of samples) sum += v * v;
        return Math.sqrt(sum / samples.length);
      },
      close() {
        source.disconnect();
        ctx.close().catch(() => {});
      },
    };
  } catch {
    return null;
  }
}

/** The call engine on this page's browser APIs, on the room socket `channel`. */
export function createBrowserCall(channel: CallChannel, storage: Storage | null): CallSession {
  const md = typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined;
  // Missing outside secure contexts (plain http on a LAN address): capture then explains why.
  const devices: MediaDevicesLike | null = md
    ? { getUserMedia: (c) => md.getUserMedia(c), enumerateDevices: () => md.enumerateDevices() }
    : null;
  const session = createCallSession({
    channel,
    createPeer: browserPeer,
    devices,
    createStream: (tracks) => new MediaStream(tracks as MediaStreamTrack[]),
    meter: audioLevelMeter,
    storage,
    log: (message, error) => console.warn(message, error ?? ''),
  });
  const changed = () => void session.refreshDevices();
  md?.addEventListener('devicechange', changed);
  return {
    ...session,
    close() {
      md?.removeEventListener('devicechange', changed);
      session.close();
    },
  };
}
