// The room's realtime channel (docs/protocol.md): one WebSocket to `/api/v1/rooms/{slug}/ws`, a store
// of what it tells us (members, chat, pending outgoing messages) and the reconnect logic. No React, no
// DOM: the socket, `fetch`, timers, the clock and randomness are injected, so tests drive it with fakes.
// The wire types and parsers live in room_protocol.ts.
import { ApiError, createTransport, isRecord, type FetchLike } from './api';
import {
  backoffMs,
  CHAT_MAX,
  CLOSE_ROOM_ENDED,
  CLOSE_SERVICE_RESTART,
  CLOSE_SIGNED_OUT,
  chatLength,
  HISTORY_PAGE,
  parseList,
  parseMember,
  parseMessage,
  randomClientId,
  RESTART_JITTER_MS,
  SNAPSHOT_MESSAGES,
  waitSeconds,
  type ChatError,
  type ChatMessage,
  type Member,
  type PendingMessage,
  type TimelineEntry,
} from './room_protocol';
import { ParticipantList } from './participants';
import type { Participant } from './room_protocol';
import { parseRoom, type Room } from './rooms_api';

export * from './room_protocol';

const str = (v: unknown): v is string => typeof v === 'string';
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * `closed`: closed by this client (`close()`). `ended`: the room ended (`room.ended`, close 4410, or a
 * write refused with `room_ended`). `signed_out`: the session was revoked by logging out (close 4401).
 * The last three are final: nothing reconnects.
 */
export type SocketStatus = 'connecting' | 'open' | 'reconnecting' | 'closed' | 'ended' | 'signed_out';

/** How the room ended, as far as the socket heard (both null when only the close code said so). */
export interface RoomEnding {
  /** `owner_ended`, `cancelled` or `empty`. */
  reason: string | null;
  /** RFC 3339 UTC. */
  at: string | null;
}

export interface OlderState {
  /** Whether older messages may exist on the server. */
  hasMore: boolean;
  loading: boolean;
  error: ApiError | null;
}

export interface RoomSocketState {
  status: SocketStatus;
  /** Whether a hello arrived at least once (the lists below are real, not empty placeholders). */
  ready: boolean;
  /** This visitor's member id. */
  memberId: string | null;
  /** The room as of the latest hello (status, reason and time updated by `room.ended`). */
  room: Room | null;
  /** Set once the room ended (status `ended`). */
  ending: RoomEnding | null;
  /** Present members, by name. */
  members: readonly Member[];
  /** This connection's participant id (the latest hello's `participant_id`). */
  participantId: string | null;
  /** Connections in the room (you included), in the order they joined, with their mic/camera state. */
  participants: readonly Participant[];
  timeline: readonly TimelineEntry[];
  pending: readonly PendingMessage[];
  older: OlderState;
  /** The highest event seq applied. */
  lastSeq: number | null;
}

export interface SocketHandlers {
  open(): void;
  message(data: string): void;
  close(code: number): void;
}

/** A started connection: `close` must not call back into the handlers. */
export interface SocketHandle {
  send(data: string): void;
  close(): void;
}

export type SocketFactory = (url: string, on: SocketHandlers) => SocketHandle;

export interface RoomSocketOptions {
  slug: string;
  /** The socket's address without a query, e.g. `ws://host/api/v1/rooms/<slug>/ws`. */
  url: string;
  connect: SocketFactory;
  fetch: FetchLike;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  now?: () => number;
  /** [0, 1), for the backoff jitter. */
  random?: () => number;
  /** A fresh client id per message. */
  newId?: () => string;
  /** A socket that sends no hello this long after it was created is dropped and tried again. */
  helloTimeoutMs?: number;
  /** While open, a `ping` goes out this often; silence for `deadAfterMs` drops the socket. */
  pingIntervalMs?: number;
  deadAfterMs?: number;
}

export type SendResult = { ok: true; id: string } | { ok: false; reason: 'empty' | 'too_long' | 'closed' };

/** A decoded frame from the server (an object with a string `type`). */
export type ServerFrame = Record<string, unknown> & { type: string };

export interface RoomSocket {
  getState(): RoomSocketState;
  subscribe(listener: () => void): () => void;
  /** Messages that arrive live (not from the snapshot or history), for announcements. */
  onLiveMessage(listener: (m: ChatMessage) => void): () => void;
  /**
   * Every frame of the current connection once its hello arrived (the hello included), after the
   * store applied it: other parts of the room (shared playback) read their frames here.
   */
  onFrame(listener: (frame: ServerFrame) => void): () => void;
  /** Sends a frame on the open connection; false when there is none (not open, or no hello yet). */
  sendFrame(frame: Record<string, unknown>): boolean;
  /** Opens the socket; call after the join call succeeded. */
  start(): void;
  /** Closes for good (leaving the page). */
  close(): void;
  send(text: string): SendResult;
  /** Sends a failed message again, with its id. */
  retry(id: string): void;
  /** Forgets a failed message. */
  discard(id: string): void;
  /** Loads the page of messages before the oldest one we have. */
  loadOlder(): Promise<void>;
  /** The browser says the network is gone: treat the socket as down now. */
  networkLost(): void;
  /** Try now instead of waiting for the backoff (the browser is back online). */
  reconnectNow(): void;
}

/** The state before the first connection: connecting, nothing known yet (also the idle placeholder without a socket). */
export function initialRoomSocketState(): RoomSocketState {
  return {
    status: 'connecting',
    ready: false,
    memberId: null,
    room: null,
    ending: null,
    members: [],
    participantId: null,
    participants: [],
    timeline: [],
    pending: [],
    older: { hasMore: false, loading: false, error: null },
    lastSeq: null,
  };
}

const byName = (a: Member, b: Member) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id);

export function createRoomSocket(opts: RoomSocketOptions): RoomSocket {
  const setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const now = opts.now ?? (() => Date.now());
  const random = opts.random ?? Math.random;
  const newId = opts.newId ?? randomClientId;
  const helloTimeoutMs = opts.helloTimeoutMs ?? 10_000;
  const pingIntervalMs = opts.pingIntervalMs ?? 10_000;
  const deadAfterMs = opts.deadAfterMs ?? 25_000;
  const transport = createTransport({ fetch: opts.fetch });

  let state = initialRoomSocketState();
  const participants = new ParticipantList();
  const listeners = new Set<() => void>();
  const liveListeners = new Set<(m: ChatMessage) => void>();
  const frameListeners = new Set<(f: ServerFrame) => void>();
  const members = new Map<string, Member>();
  const messageIds = new Set<string>();
  const eventSeqs = new Set<number>();

  let started = false;
  let closed = false;
  let handle: SocketHandle | null = null;
  let helloSeen = false; // on the current socket
  let attempt = 0;
  let retryTimer: unknown = null;
  let helloTimer: unknown = null;
  let pingTimer: unknown = null;
  let lastHeard = 0;

  function set(patch: Partial<RoomSocketState>) {
    state = { ...state, ...patch };
    for (const l of [...listeners]) l();
  }

  function membersList(): Member[] {
    return [...members.values()].sort(byName);
  }

  // --- timeline -------------------------------------------------------------------------------

  /** Adds entries not seen yet, keeping seq order; returns the new timeline. */
  function merge(timeline: readonly TimelineEntry[], add: TimelineEntry[]): readonly TimelineEntry[] {
    const fresh = add.filter((e) => {
      if (e.kind === 'message') {
        if (messageIds.has(e.message.id)) return false;
        messageIds.add(e.message.id);
      } else {
        if (eventSeqs.has(e.seq)) return false;
        eventSeqs.add(e.seq);
      }
      return true;
    });
    if (fresh.length === 0) return timeline;
    const last = timeline[timeline.length - 1];
    // The common case, one live event at the end, needs no sort.
    if (fresh.length === 1 && (!last || last.seq <= fresh[0]!.seq)) return [...timeline, fresh[0]!];
    return [...timeline, ...fresh].sort((a, b) => a.seq - b.seq);
  }

  const messageEntry = (m: ChatMessage): TimelineEntry => ({ kind: 'message', key: `m${m.id}`, seq: m.seq, message: m });

  /** Removes pending entries that these stored messages answer (same client id, sent by us). */
  function settlePending(msgs: ChatMessage[], ackedIds: string[] = []): readonly PendingMessage[] {
    const done = new Set(ackedIds);
    for (const m of msgs) if (m.client_id && m.author.id === state.memberId) done.add(m.client_id);
    if (done.size === 0) return state.pending;
    const left = state.pending.filter((p) => !done.has(p.id));
    return left.length === state.pending.length ? state.pending : left;
  }

  function oldestMessageSeq(): number | null {
    for (const e of state.timeline) if (e.kind === 'message') return e.seq;
    return null;
  }

  // --- connection -----------------------------------------------------------------------------

  function clear(t: unknown) {
    if (t !== null) clearTimer(t);
  }

  function stopTimers() {
    clear(retryTimer);
    clear(helloTimer);
    clear(pingTimer);
    retryTimer = helloTimer = pingTimer = null;
  }

  function connect() {
    retryTimer = null;
    if (closed) return;
    const query = state.lastSeq !== null ? `?resume_from=${state.lastSeq}` : '';
    helloSeen = false;
    set({ status: state.ready || attempt > 0 ? 'reconnecting' : 'connecting' });
    let mine: SocketHandle | null = null;
    const current = () => mine !== null && handle === mine;
    mine = opts.connect(opts.url + query, {
      open() {
        if (current()) lastHeard = now();
      },
      message(data) {
        if (current()) receive(data);
      },
      close(code) {
        if (!current()) return;
        if (code === CLOSE_ROOM_ENDED) ended({ reason: null, at: null });
        else if (code === CLOSE_SIGNED_OUT) finish('signed_out', {});
        else dropped(code === CLOSE_SERVICE_RESTART);
      },
    });
    handle = mine;
    helloTimer = setTimer(() => {
      helloTimer = null;
      if (current() && !helloSeen) dropped();
    }, helloTimeoutMs);
  }

  /**
   * The socket is gone (closed, silent, or the browser went offline): try again after a backoff.
   * `moved`: the server said its room moves to another server (1012): try again at once.
   */
  function dropped(moved = false) {
    const h = handle;
    handle = null;
    h?.close();
    stopTimers();
    if (closed) return;
    set({ status: 'reconnecting' });
    if (moved) {
      retryTimer = setTimer(connect, Math.floor(random() * RESTART_JITTER_MS));
      return;
    }
    retryTimer = setTimer(connect, backoffMs(attempt, random));
    attempt += 1;
  }

  /** Closes for good, without reconnecting, in a final status. */
  function finish(status: 'ended' | 'signed_out' | 'closed', patch: Partial<RoomSocketState> = {}) {
    if (closed) return;
    closed = true;
    const h = handle;
    handle = null;
    h?.close();
    stopTimers();
    set({ ...patch, status });
  }

  /** The room is over: keep what the event said (a bare close code says nothing more). */
  function ended(ending: RoomEnding) {
    const room = state.room && { ...state.room, status: 'ended' as const, ended_reason: ending.reason ?? state.room.ended_reason, ended_at: ending.at ?? state.room.ended_at };
    finish('ended', { ending, room });
  }

  function heartbeat() {
    pingTimer = null;
    if (!handle || !helloSeen) return;
    if (now() - lastHeard > deadAfterMs) {
      dropped();
      return;
    }
    sendFrame({ type: 'ping', t0: now() });
    pingTimer = setTimer(heartbeat, pingIntervalMs);
  }

  function sendFrame(frame: Record<string, unknown>): boolean {
    if (!handle || !helloSeen) return false;
    try {
      handle.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  function sendChat(p: PendingMessage) {
    sendFrame({ type: 'chat.send', id: p.id, text: p.text });
  }

  // --- frames ---------------------------------------------------------------------------------

  function receive(data: string) {
    lastHeard = now();
    let f: unknown;
    try {
      f = JSON.parse(data);
    } catch {
      return;
    }
    if (!isRecord(f) || !str(f.type)) return;
    if (f.type !== 'hello' && !helloSeen) return; // events only make sense on top of a snapshot
    apply(f as ServerFrame);
    for (const l of [...frameListeners]) l(f as ServerFrame);
  }

  function apply(f: ServerFrame) {
    if (f.type === 'hello') return onHello(f);
    const seq = num(f.seq) ? f.seq : null;
    if (seq !== null && (state.lastSeq === null || seq > state.lastSeq)) state = { ...state, lastSeq: seq };
    switch (f.type) {
      case 'member.joined': {
        const m = parseMember(f.member);
        if (!m || seq === null) return;
        members.set(m.id, m);
        const timeline = m.id === state.memberId ? state.timeline : merge(state.timeline, [{ kind: 'joined', key: `e${seq}`, seq, memberId: m.id, name: m.name }]);
        return set({ members: membersList(), timeline });
      }
      case 'member.left': {
        if (!str(f.member_id) || seq === null) return;
        const gone = members.get(f.member_id);
        members.delete(f.member_id);
        const name = gone?.name ?? '';
        const timeline =
          f.member_id === state.memberId || !gone ? state.timeline : merge(state.timeline, [{ kind: 'left', key: `e${seq}`, seq, memberId: f.member_id, name }]);
        return set({ members: membersList(), timeline });
      }
      case 'participant.joined':
      case 'participant.left':
      case 'media.state':
        if (seq === null) return; // room events only; signalling frames carry no seq
        if (participants.apply(f)) set({ participants: participants.list() });
        return;
      case 'chat.message':
      case 'chat.ack': {
        const m = parseMessage(f.message);
        if (!m) return;
        const isNew = !messageIds.has(m.id);
        const acked = f.type === 'chat.ack' && str(f.id) ? [f.id] : [];
        set({ timeline: merge(state.timeline, [messageEntry(m)]), pending: settlePending([m], acked) });
        if (isNew && f.type === 'chat.message') for (const l of [...liveListeners]) l(m);
        return;
      }
      case 'room.ended': {
        const r = isRecord(f.room) ? f.room : {};
        return ended({ reason: str(r.ended_reason) ? r.ended_reason : null, at: str(r.ended_at) ? r.ended_at : null });
      }
      case 'error': {
        if (f.code === 'room_ended') return ended({ reason: null, at: null });
        const id = str(f.id) ? f.id : null;
        if (id === null || !state.pending.some((p) => p.id === id)) return;
        const message = str(f.message) ? f.message : '';
        const error: ChatError = { code: str(f.code) ? f.code : 'unknown', message };
        const wait = waitSeconds(message);
        if (error.code === 'rate_limited' && wait !== undefined) error.retryAfterS = wait;
        return set({ pending: state.pending.map((p) => (p.id === id ? { ...p, state: 'failed', error } : p)) });
      }
      default:
        return; // pong, and frame types from newer servers
    }
  }

  function onHello(f: Record<string, unknown>) {
    const snap = isRecord(f.snapshot) ? f.snapshot : {};
    const memberId = str(f.member_id) ? f.member_id : state.memberId;
    let room = state.room;
    try {
      room = parseRoom(snap.room);
    } catch {
      // keep the previous one
    }
    members.clear();
    for (const m of parseList(snap.members, parseMember)) members.set(m.id, m);
    participants.reset(snap.participants);
    const msgs = parseList(snap.messages, parseMessage).sort((a, b) => a.seq - b.seq);
    let timeline = state.timeline;
    let older = state.older;
    if (!state.ready) {
      older = { ...older, hasMore: msgs.length >= SNAPSHOT_MESSAGES };
    } else if (f.resumed !== true && msgs.length >= SNAPSHOT_MESSAGES) {
      // Not resumed: messages may be missing between what we had and this snapshot. Keep only the
      // snapshot's range; the older ones come back through paging.
      const first = msgs[0]!.seq;
      let newestKnown = -1;
      for (const e of timeline) if (e.kind === 'message') newestKnown = Math.max(newestKnown, e.seq);
      if (newestKnown >= 0 && newestKnown < first) {
        timeline = timeline.filter((e) => e.seq >= first);
        messageIds.clear();
        eventSeqs.clear();
        for (const e of timeline) {
          if (e.kind === 'message') messageIds.add(e.message.id);
          else eventSeqs.add(e.seq);
        }
        older = { ...older, hasMore: true };
      }
    }
    state = { ...state, memberId };
    timeline = merge(timeline, msgs.map(messageEntry));
    helloSeen = true;
    attempt = 0;
    clear(helloTimer);
    helloTimer = null;
    clear(pingTimer);
    pingTimer = setTimer(heartbeat, pingIntervalMs);
    set({
      status: 'open',
      ready: true,
      room,
      members: membersList(),
      participantId: str(f.participant_id) ? f.participant_id : null,
      participants: participants.list(),
      timeline,
      older,
      pending: settlePending(msgs),
      lastSeq: num(snap.last_seq) ? snap.last_seq : state.lastSeq,
    });
    // Whatever is still unacknowledged goes again, with the same ids.
    for (const p of state.pending) if (p.state === 'sending') sendChat(p);
  }

  return {
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onLiveMessage(listener) {
      liveListeners.add(listener);
      return () => liveListeners.delete(listener);
    },
    onFrame(listener) {
      frameListeners.add(listener);
      return () => frameListeners.delete(listener);
    },
    sendFrame: (frame) => !closed && sendFrame(frame),
    start() {
      if (started || closed) return;
      started = true;
      connect();
    },
    close() {
      finish('closed');
    },
    send(text) {
      if (closed) return { ok: false, reason: 'closed' };
      if (text.trim() === '') return { ok: false, reason: 'empty' };
      if (chatLength(text) > CHAT_MAX) return { ok: false, reason: 'too_long' };
      const p: PendingMessage = { id: newId(), text, state: 'sending', error: null };
      set({ pending: [...state.pending, p] });
      sendChat(p);
      return { ok: true, id: p.id };
    },
    retry(id) {
      const p = state.pending.find((x) => x.id === id);
      if (!p || p.state !== 'failed') return;
      const again: PendingMessage = { ...p, state: 'sending', error: null };
      set({ pending: state.pending.map((x) => (x.id === id ? again : x)) });
      sendChat(again);
    },
    discard(id) {
      if (state.pending.some((p) => p.id === id)) set({ pending: state.pending.filter((p) => p.id !== id) });
    },
    async loadOlder() {
      if (closed || state.older.loading || !state.older.hasMore) return;
      const before = oldestMessageSeq();
      if (before === null) {
        set({ older: { hasMore: false, loading: false, error: null } });
        return;
      }
      set({ older: { ...state.older, loading: true, error: null } });
      try {
        const path = `/api/v1/rooms/${encodeURIComponent(opts.slug)}/messages?before=${before}&limit=${HISTORY_PAGE}`;
        const body = await transport.json(await transport.send('GET', path));
        if (!isRecord(body) || !Array.isArray(body.messages)) {
          throw new ApiError({ status: 200, code: 'bad_response', message: 'The server sent an unexpected message page' });
        }
        const msgs = parseList(body.messages, parseMessage).filter((m) => m.seq < before);
        if (closed) return;
        set({
          timeline: merge(state.timeline, msgs.map(messageEntry)),
          older: { hasMore: body.has_more === true && msgs.length > 0, loading: false, error: null },
        });
      } catch (e) {
        if (closed) return;
        const error = e instanceof ApiError ? e : new ApiError({ status: 0, code: 'network_error', message: String(e) });
        set({ older: { ...state.older, loading: false, error } });
      }
    },
    networkLost() {
      if (closed || !started || state.status === 'reconnecting') return;
      dropped();
    },
    reconnectNow() {
      if (closed || !started || state.status !== 'reconnecting' || retryTimer === null) return;
      clear(retryTimer);
      attempt = 0;
      connect();
    },
  };
}
