// What both connections share of the signalling (docs/protocol.md, "Video chat"): reading the server's
// `media.*` frames, and handing the server's candidates to a connection. The fields come from the
// network: each is checked, and what does not fit is dropped rather than trusted.
import type { PeerLike, SessionDescription } from './call_types';

/** A frame of the room socket, as the engine receives it. */
export type Frame = Record<string, unknown> & { type: string };

export const str = (v: unknown): v is string => typeof v === 'string';
export const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One entry of a `media.offer`'s `streams`: which participant a subscriber transceiver carries. */
export interface StreamSlot {
  mid: string;
  kind: 'audio' | 'video';
  participant_id: string;
}

/** The well-formed entries of `streams` (a missing kind counts as video); [] when it is not a list. */
export function parseStreams(v: unknown): StreamSlot[] {
  if (!Array.isArray(v)) return [];
  const out: StreamSlot[] = [];
  for (const s of v) {
    if (!isRecord(s) || !str(s.mid) || !str(s.participant_id)) continue;
    out.push({ mid: s.mid, kind: s.kind === 'audio' ? 'audio' : 'video', participant_id: s.participant_id });
  }
  return out;
}

/** A `jsep` of the expected type with its sdp, or null. */
export function parseJsep(v: unknown, type: 'offer' | 'answer'): SessionDescription | null {
  return isRecord(v) && v.type === type && str(v.sdp) ? { type, sdp: v.sdp } : null;
}

/** A `media.trickle` candidate: null is the end of the candidates; undefined means malformed (drop it). */
export function parseCandidate(v: unknown): RTCIceCandidateInit | null | undefined {
  if (v === null) return null;
  if (!isRecord(v) || !str(v.candidate)) return undefined;
  const c: RTCIceCandidateInit = { candidate: v.candidate };
  if (str(v.sdpMid)) c.sdpMid = v.sdpMid;
  if (num(v.sdpMLineIndex)) c.sdpMLineIndex = v.sdpMLineIndex;
  return c;
}

/** Adds a server candidate to a connection; a refusal is only logged. */
export function addServerCandidate(pc: PeerLike, c: RTCIceCandidateInit | null, log: (message: string, error?: unknown) => void): void {
  pc.addIceCandidate(c).catch((e: unknown) => log('call: a candidate was refused', e));
}
