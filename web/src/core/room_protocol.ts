// The room WebSocket's wire format (docs/protocol.md, version 1): limits, the shapes of members and
// messages, their tolerant parsers, client ids, and the reconnect backoff. No React, no DOM.
import { isRecord } from './api';

/** The server's chat limit, in characters (code points). */
export const CHAT_MAX = 2000;
/** Messages per history page (`GET …/messages?limit=`). */
export const HISTORY_PAGE = 50;
/** The hello snapshot carries the latest this many messages. */
export const SNAPSHOT_MESSAGES = 50;
export const BACKOFF_MIN_MS = 500;
export const BACKOFF_MAX_MS = 10_000;
/** Close code: the room ended (after its `room.ended` event). Never reconnect. */
export const CLOSE_ROOM_ENDED = 4410;
/** Close code: the session was revoked by logging out (in any tab). Never reconnect. */
export const CLOSE_SIGNED_OUT = 4401;
/**
 * Close code: the server is going away or the room moved to another server (a cluster node shut
 * down or died). Reconnect at once, with resume_from; the next server runs the room.
 */
export const CLOSE_SERVICE_RESTART = 1012;
/** The most a reconnect after CLOSE_SERVICE_RESTART waits (spread, so a node's sockets do not all come at once). */
export const RESTART_JITTER_MS = 250;

export interface Member {
  id: string;
  name: string;
  user_id: string | null;
  guest: boolean;
  connections: number;
}

export interface ChatMessage {
  id: string;
  client_id: string;
  seq: number;
  author: { id: string; name: string };
  text: string;
  /** RFC 3339 UTC, server time. */
  sent_at: string;
}

/**
 * One connection in the room's video call (docs/protocol.md, "Video chat"): one person with two tabs is
 * two participants of one member. `mic` / `camera`: what that connection says it is sending.
 */
export interface Participant {
  id: string;
  member_id: string;
  name: string;
  mic: boolean;
  camera: boolean;
}

/** One line of the chat: a message, or a quiet "joined"/"left" note. Sorted by seq. */
export type TimelineEntry =
  | { kind: 'message'; key: string; seq: number; message: ChatMessage }
  | { kind: 'joined' | 'left'; key: string; seq: number; memberId: string; name: string };

export interface ChatError {
  /** `message_too_long`, `invalid_message`, `rate_limited`, `chat_unavailable`, … */
  code: string;
  /** The server's own sentence (not localised). */
  message: string;
  /** For `rate_limited`: the wait the server named, in seconds. */
  retryAfterS?: number;
}

/** A message this tab sent that the server has not acknowledged yet (or refused). */
export interface PendingMessage {
  /** The client id: the same on every resend, so the server stores it once. */
  id: string;
  text: string;
  state: 'sending' | 'failed';
  error: ChatError | null;
}

const str = (v: unknown): v is string => typeof v === 'string';
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Backoff before attempt `n` (0-based): 0.5 s doubling to 10 s, scaled by a jitter in [0.5, 1]. */
export function backoffMs(attempt: number, random: () => number): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.min(attempt, 20));
  return Math.round(base * (0.5 + 0.5 * random()));
}

/** A client id the server accepts (1–64 of `A-Z a-z 0-9 - _ . :`). */
export function randomClientId(): string {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  // randomUUID needs a secure context; plain-http LAN servers still have getRandomValues.
  if (c && typeof c.randomUUID === 'function') {
    try {
      return `c-${c.randomUUID()}`;
    } catch {
      // fall through
    }
  }
  const bytes = new Uint8Array(16);
  if (c && typeof c.getRandomValues === 'function') c.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return `c-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export function parseMember(v: unknown): Member | null {
  if (!isRecord(v) || !str(v.id) || !str(v.name)) return null;
  return {
    id: v.id,
    name: v.name,
    user_id: str(v.user_id) ? v.user_id : null,
    guest: v.guest === true,
    connections: num(v.connections) ? v.connections : 1,
  };
}

export function parseParticipant(v: unknown): Participant | null {
  if (!isRecord(v) || !str(v.id) || v.id === '' || !str(v.name)) return null;
  return {
    id: v.id,
    member_id: str(v.member_id) ? v.member_id : '',
    name: v.name,
    mic: v.mic === true,
    camera: v.camera === true,
  };
}

export function parseMessage(v: unknown): ChatMessage | null {
  if (!isRecord(v) || !str(v.id) || !num(v.seq) || !str(v.text) || !isRecord(v.author)) return null;
  const a = v.author;
  if (!str(a.id) || !str(a.name)) return null;
  return {
    id: v.id,
    client_id: str(v.client_id) ? v.client_id : '',
    seq: v.seq,
    author: { id: a.id, name: a.name },
    text: v.text,
    sent_at: str(v.sent_at) ? v.sent_at : '',
  };
}

export function parseList<T>(v: unknown, parse: (x: unknown) => T | null): T[] {
  if (!Array.isArray(v)) return [];
  const out: T[] = [];
  for (const x of v) {
    const p = parse(x);
    if (p) out.push(p);
  }
  return out;
}

/** "Wait 7 s." → 7. */
export function waitSeconds(message: string): number | undefined {
  const m = /(\d+)\s*s\b/.exec(message);
  return m ? Number.parseInt(m[1] ?? '', 10) : undefined;
}

/** Length in characters (code points), as the server counts. */
export function chatLength(s: string): number {
  return Array.from(s).length;
}
