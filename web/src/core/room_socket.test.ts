import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FetchLike } from './api';
import { backoffMs, createRoomSocket, type ChatMessage, type Member, type Participant, type RoomSocketOptions, type SocketHandlers } from './room_socket';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const URL_BASE = 'ws://kino.test/api/v1/rooms/abcdefghjk/ws';

/** One fake connection: what the client sent, and buttons for the server's side. */
interface FakeConn {
  url: string;
  sent: Record<string, unknown>[];
  closedByClient: boolean;
  on: SocketHandlers;
  frame(f: Record<string, unknown>): void;
  /** The server (or the network) closes it. */
  drop(code?: number): void;
}

function fakeServer() {
  const conns: FakeConn[] = [];
  const connect: RoomSocketOptions['connect'] = (url, on) => {
    const c: FakeConn = {
      url,
      sent: [],
      closedByClient: false,
      on,
      frame: (f) => on.message(JSON.stringify(f)),
      drop: (code = 1006) => on.close(code),
    };
    conns.push(c);
    return {
      send: (d) => void c.sent.push(JSON.parse(d) as Record<string, unknown>),
      close: () => void (c.closedByClient = true),
    };
  };
  return { conns, connect, last: () => conns[conns.length - 1]! };
}

const member = (id: string, name: string, extra: Partial<Member> = {}): Member => ({ id, name, user_id: null, guest: true, connections: 1, ...extra });
const participant = (id: string, name: string, extra: Partial<Participant> = {}): Participant => ({ id, member_id: 'u1', name, mic: false, camera: false, ...extra });
const msg = (seq: number, text = `message ${seq}`, author = { id: 'u2', name: 'Bo' }, client_id = `x${seq}`): ChatMessage => ({
  id: String(seq * 10),
  client_id,
  seq,
  author,
  text,
  sent_at: '2026-05-01T12:00:00Z',
});
const room = { slug: 'abcdefghjk', title: 'Film', url: 'http://kino.test/r/abcdefghjk', status: 'live', visibility: 'public', starts_at: null, owner: { id: '1', display_name: 'Ada' } };

function hello(opts: { members?: Member[]; messages?: ChatMessage[]; participants?: Participant[]; lastSeq: number; resumed?: boolean; me?: string; pid?: string }) {
  return {
    type: 'hello',
    protocol: 1,
    participant_id: opts.pid ?? 'p1',
    member_id: opts.me ?? 'u1',
    server_time: Date.now(),
    resumed: opts.resumed ?? false,
    snapshot: {
      room,
      members: opts.members ?? [member('u1', 'Ada')],
      participants: opts.participants ?? [participant('p1', 'Ada')],
      messages: opts.messages ?? [],
      last_seq: opts.lastSeq,
    },
  };
}

function setup(extra: Partial<RoomSocketOptions> = {}) {
  const server = fakeServer();
  let ids = 0;
  const socket = createRoomSocket({
    slug: 'abcdefghjk',
    url: URL_BASE,
    connect: server.connect,
    fetch: () => Promise.reject(new Error('no fetch in this test')),
    random: () => 1,
    newId: () => `c-${++ids}`,
    ...extra,
  });
  return { socket, server };
}

const texts = (s: ReturnType<typeof setup>['socket']) =>
  s.getState().timeline.map((e) => (e.kind === 'message' ? e.message.text : `${e.kind}:${e.name}`));

describe('backoffMs', () => {
  it('doubles from 0.5 s to a 10 s ceiling, with jitter down to half', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 12].map((n) => backoffMs(n, () => 1))).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000, 10000]);
    expect(backoffMs(0, () => 0)).toBe(250);
    expect(backoffMs(9, () => 0)).toBe(5000);
  });
});

describe('createRoomSocket', () => {
  it('connects, applies the hello snapshot and opens', () => {
    const { socket, server } = setup();
    expect(server.conns).toHaveLength(0);
    socket.start();
    expect(server.last().url).toBe(URL_BASE);
    expect(socket.getState().status).toBe('connecting');
    server.last().frame(hello({ members: [member('u1', 'Ada'), member('g1', 'Zed'), member('u2', 'Bo')], messages: [msg(3), msg(5)], lastSeq: 6 }));
    const s = socket.getState();
    expect(s.status).toBe('open');
    expect(s.ready).toBe(true);
    expect(s.memberId).toBe('u1');
    expect(s.room?.title).toBe('Film');
    expect(s.members.map((m) => m.name)).toEqual(['Ada', 'Bo', 'Zed']);
    expect(texts(socket)).toEqual(['message 3', 'message 5']);
    expect(s.lastSeq).toBe(6);
    expect(s.older.hasMore).toBe(false); // fewer than a full snapshot: nothing older
  });

  it('reconnects at once (no backoff) when a server closes with 1012: its room moved to another server', async () => {
    const { socket, server } = setup();
    socket.start();
    server.last().frame(hello({ lastSeq: 9 }));
    for (let round = 0; round < 3; round++) {
      const before = server.conns.length;
      server.last().drop(1012);
      expect(socket.getState().status).toBe('reconnecting');
      await vi.advanceTimersByTimeAsync(250);
      expect(server.conns.length, `round ${round}: reconnected within 250 ms`).toBe(before + 1);
      expect(server.last().url).toBe(`${URL_BASE}?resume_from=9`);
    }
    // An ordinary drop afterwards still backs off from the start.
    const before = server.conns.length;
    server.last().drop();
    await vi.advanceTimersByTimeAsync(450);
    expect(server.conns.length).toBe(before);
    await vi.advanceTimersByTimeAsync(100);
    expect(server.conns.length).toBe(before + 1);
  });

  it('reconnects with exponential backoff to ?resume_from=<last_seq>, and resets after a hello', async () => {
    const { socket, server } = setup();
    socket.start();
    server.last().frame(hello({ lastSeq: 4 }));
    server.last().frame({ type: 'member.joined', seq: 5, member: member('u2', 'Bo') });
    expect(socket.getState().lastSeq).toBe(5);

    server.last().drop();
    expect(socket.getState().status).toBe('reconnecting');
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      const before = server.conns.length;
      let waited = 0;
      while (server.conns.length === before) {
        await vi.advanceTimersByTimeAsync(50);
        waited += 50;
      }
      delays.push(waited);
      expect(server.last().url).toBe(`${URL_BASE}?resume_from=5`);
      server.last().drop(); // fails before its hello
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000]);

    await vi.advanceTimersByTimeAsync(10_000);
    server.last().frame(hello({ lastSeq: 5, resumed: true }));
    expect(socket.getState().status).toBe('open');
    server.last().drop();
    await vi.advanceTimersByTimeAsync(499);
    const n = server.conns.length;
    await vi.advanceTimersByTimeAsync(1);
    expect(server.conns.length).toBe(n + 1); // back to 0.5 s
  });

  it('applies replayed events after a resumed hello without duplicates; member events are set operations', async () => {
    const { socket, server } = setup();
    socket.start();
    server.last().frame(hello({ members: [member('u1', 'Ada'), member('u2', 'Bo')], messages: [msg(2), msg(3)], lastSeq: 3 }));
    server.last().drop();
    await vi.advanceTimersByTimeAsync(500);
    const c = server.last();
    expect(c.url).toBe(`${URL_BASE}?resume_from=3`);
    // Bo left and came back, Cy joined, and two messages were sent meanwhile.
    c.frame(hello({ members: [member('u1', 'Ada'), member('u2', 'Bo'), member('u3', 'Cy')], messages: [msg(2), msg(3), msg(5), msg(8)], lastSeq: 8, resumed: true }));
    c.frame({ type: 'member.left', seq: 4, member_id: 'u2' });
    c.frame({ type: 'chat.message', seq: 5, message: msg(5) });
    c.frame({ type: 'member.joined', seq: 6, member: member('u2', 'Bo') });
    c.frame({ type: 'member.joined', seq: 7, member: member('u3', 'Cy') });
    c.frame({ type: 'chat.message', seq: 8, message: msg(8) });
    c.frame({ type: 'chat.message', seq: 8, message: msg(8) }); // a repeat is ignored too
    expect(texts(socket)).toEqual(['message 2', 'message 3', 'left:Bo', 'message 5', 'joined:Bo', 'joined:Cy', 'message 8']);
    expect(socket.getState().members.map((m) => m.id)).toEqual(['u1', 'u2', 'u3']);
    expect(socket.getState().lastSeq).toBe(8);
  });

  it('does not note its own joins and leaves', () => {
    const { socket, server } = setup();
    socket.start();
    server.last().frame(hello({ lastSeq: 1 }));
    server.last().frame({ type: 'member.joined', seq: 2, member: member('u1', 'Ada') });
    server.last().frame({ type: 'member.joined', seq: 3, member: member('g7', 'Guest') });
    server.last().frame({ type: 'member.left', seq: 4, member_id: 'g7' });
    server.last().frame({ type: 'member.left', seq: 5, member_id: 'nobody' });
    expect(texts(socket)).toEqual(['joined:Guest', 'left:Guest']);
    expect(socket.getState().members.map((m) => m.id)).toEqual(['u1']);
  });

  it('queues messages until open, re-sends unacked ones with the same id after a reconnect, and settles on ack', async () => {
    const { socket, server } = setup();
    socket.start();
    expect(socket.send('early')).toEqual({ ok: true, id: 'c-1' });
    expect(server.last().sent).toEqual([]);
    expect(socket.getState().pending).toMatchObject([{ id: 'c-1', text: 'early', state: 'sending' }]);
    server.last().frame(hello({ lastSeq: 1 }));
    expect(server.last().sent).toEqual([{ type: 'chat.send', id: 'c-1', text: 'early' }]);

    socket.send('second');
    server.last().drop(); // neither was acked
    expect(socket.send('while down').ok).toBe(true);
    await vi.advanceTimersByTimeAsync(500);
    server.last().frame(hello({ lastSeq: 1, resumed: true }));
    expect(server.last().sent).toEqual([
      { type: 'chat.send', id: 'c-1', text: 'early' },
      { type: 'chat.send', id: 'c-2', text: 'second' },
      { type: 'chat.send', id: 'c-3', text: 'while down' },
    ]);

    const me = { id: 'u1', name: 'Ada' };
    const stored = msg(2, 'early', me, 'c-1');
    server.last().frame({ type: 'chat.message', seq: 2, message: stored });
    server.last().frame({ type: 'chat.ack', id: 'c-1', seq: 2, message: stored });
    expect(socket.getState().pending.map((p) => p.id)).toEqual(['c-2', 'c-3']);
    // An ack alone (a resend of a message stored before the drop) settles too, and adds it once.
    const second = msg(3, 'second', me, 'c-2');
    server.last().frame({ type: 'chat.ack', id: 'c-2', seq: 3, message: second });
    server.last().frame({ type: 'chat.message', seq: 3, message: second });
    expect(socket.getState().pending.map((p) => p.id)).toEqual(['c-3']);
    expect(texts(socket)).toEqual(['early', 'second']);
  });

  it('settles pending messages that the snapshot already holds (stored before the drop)', async () => {
    const { socket, server } = setup();
    socket.start();
    server.last().frame(hello({ lastSeq: 1 }));
    socket.send('hi');
    server.last().drop();
    await vi.advanceTimersByTimeAsync(500);
    server.last().frame(hello({ lastSeq: 2, messages: [msg(2, 'hi', { id: 'u1', name: 'Ada' }, 'c-1')] }));
    expect(socket.getState().pending).toEqual([]);
    expect(server.last().sent).toEqual([]);
    expect(texts(socket)).toEqual(['hi']);
  });

  it('marks a refused message failed with the server error, keeps its text, and retries it with the same id', () => {
    const { socket, server } = setup();
    socket.start();
    server.last().frame(hello({ lastSeq: 1 }));
    socket.send('one');
    socket.send('two');
    server.last().frame({ type: 'error', code: 'rate_limited', message: 'You are sending messages too fast. Wait 7 s.', id: 'c-2' });
    server.last().frame({ type: 'error', code: 'chat_unavailable', message: 'Your message could not be saved.', id: 'c-1' });
    server.last().frame({ type: 'error', code: 'unknown_type', message: 'Unknown frame type', id: 'not-ours' });
    const [one, two] = socket.getState().pending;
    expect(one).toMatchObject({ id: 'c-1', text: 'one', state: 'failed', error: { code: 'chat_unavailable' } });
    expect(two).toMatchObject({ id: 'c-2', text: 'two', state: 'failed', error: { code: 'rate_limited', retryAfterS: 7 } });

    server.last().sent.length = 0;
    socket.retry('c-2');
    expect(server.last().sent).toEqual([{ type: 'chat.send', id: 'c-2', text: 'two' }]);
    expect(socket.getState().pending[1]).toMatchObject({ state: 'sending', error: null });
    socket.discard('c-1');
    expect(socket.getState().pending.map((p) => p.id)).toEqual(['c-2']);
  });

  it('does not re-send failed messages by itself after a reconnect', async () => {
    const { socket, server } = setup();
    socket.start();
    server.last().frame(hello({ lastSeq: 1 }));
    socket.send('x'.repeat(10));
    server.last().frame({ type: 'error', code: 'message_too_long', message: 'Messages can be at most 2000 characters.', id: 'c-1' });
    server.last().drop();
    await vi.advanceTimersByTimeAsync(500);
    server.last().frame(hello({ lastSeq: 1, resumed: true }));
    expect(server.last().sent).toEqual([]);
    expect(socket.getState().pending[0]).toMatchObject({ state: 'failed', error: { code: 'message_too_long' } });
  });

  it('refuses empty and over-long text before sending (code points, not UTF-16 units)', () => {
    const { socket } = setup();
    socket.start();
    expect(socket.send('   \n ')).toEqual({ ok: false, reason: 'empty' });
    expect(socket.send('a'.repeat(2001))).toEqual({ ok: false, reason: 'too_long' });
    expect(socket.send('😀'.repeat(2000)).ok).toBe(true);
  });

  it('pages back through history until has_more is false, reaching message 1', async () => {
    const all = Array.from({ length: 120 }, (_, i) => msg(i + 1));
    const calls: string[] = [];
    const fetch: FetchLike = async (url) => {
      calls.push(url);
      const before = Number(new URL(url, 'http://x').searchParams.get('before'));
      const limit = Number(new URL(url, 'http://x').searchParams.get('limit'));
      const older = all.filter((m) => m.seq < before);
      const page = older.slice(-limit);
      return new Response(JSON.stringify({ messages: page, has_more: older.length > page.length }), { status: 200 });
    };
    const { socket, server } = setup({ fetch });
    socket.start();
    server.last().frame(hello({ messages: all.slice(-50), lastSeq: 120 }));
    expect(socket.getState().older.hasMore).toBe(true);
    const first = socket.loadOlder();
    expect(socket.getState().older.loading).toBe(true);
    void socket.loadOlder(); // ignored while one is in flight
    await first;
    await socket.loadOlder();
    await socket.loadOlder(); // nothing more: no request
    expect(calls).toEqual([
      '/api/v1/rooms/abcdefghjk/messages?before=71&limit=50',
      '/api/v1/rooms/abcdefghjk/messages?before=21&limit=50',
    ]);
    const seqs = socket.getState().timeline.map((e) => e.seq);
    expect(seqs).toEqual(all.map((m) => m.seq));
    expect(socket.getState().older).toEqual({ hasMore: false, loading: false, error: null });
  });

  it('keeps the paging error for a retry', async () => {
    const fetch: FetchLike = async () => new Response('{"error":{"code":"internal_error","message":"x"}}', { status: 500 });
    const { socket, server } = setup({ fetch });
    socket.start();
    server.last().frame(hello({ messages: Array.from({ length: 50 }, (_, i) => msg(i + 100)), lastSeq: 150 }));
    await socket.loadOlder();
    expect(socket.getState().older).toMatchObject({ hasMore: true, loading: false, error: { code: 'internal_error' } });
  });

  it('after a non-resumed hello that may leave a gap, keeps only the snapshot range and pages back again', async () => {
    const { socket, server } = setup();
    socket.start();
    server.last().frame(hello({ messages: [msg(1), msg(2)], lastSeq: 2 }));
    server.last().drop();
    await vi.advanceTimersByTimeAsync(500);
    const later = Array.from({ length: 50 }, (_, i) => msg(i + 100));
    server.last().frame(hello({ messages: later, lastSeq: 149, resumed: false }));
    expect(socket.getState().timeline[0]?.seq).toBe(100);
    expect(socket.getState().timeline).toHaveLength(50);
    expect(socket.getState().older.hasMore).toBe(true);
  });

  it('tells listeners about live messages only', () => {
    const { socket, server } = setup();
    const heard: string[] = [];
    socket.onLiveMessage((m) => heard.push(m.text));
    socket.start();
    server.last().frame(hello({ messages: [msg(1)], lastSeq: 1 }));
    server.last().frame({ type: 'chat.message', seq: 2, message: msg(2) });
    server.last().frame({ type: 'chat.message', seq: 2, message: msg(2) });
    expect(heard).toEqual(['message 2']);
  });

  it('hands every frame from the hello on to frame listeners, after applying it, and sends frames only when open', () => {
    const { socket, server } = setup();
    const seen: string[] = [];
    socket.onFrame((f) => seen.push(`${f.type}:${socket.getState().status}`));
    expect(socket.sendFrame({ type: 'ping' })).toBe(false);
    socket.start();
    server.last().frame({ type: 'playback.state', seq: 9, state: {} }); // before the hello: dropped
    expect(socket.sendFrame({ type: 'ping' })).toBe(false);
    server.last().frame(hello({ lastSeq: 4 }));
    server.last().frame({ type: 'playback.state', seq: 5, state: {} });
    server.last().frame({ type: 'pong', t0: 1, server_time: 2 });
    server.last().frame({ type: 'some.future.frame' });
    expect(seen).toEqual(['hello:open', 'playback.state:open', 'pong:open', 'some.future.frame:open']);
    expect(socket.getState().lastSeq).toBe(5);
    expect(socket.sendFrame({ type: 'playback.control', id: 'x1', action: 'play' })).toBe(true);
    expect(server.last().sent).toContainEqual({ type: 'playback.control', id: 'x1', action: 'play' });
    socket.close();
    expect(socket.sendFrame({ type: 'ping' })).toBe(false);
  });

  it('drops a socket that sends no hello, and one that goes silent', async () => {
    const { socket, server } = setup({ helloTimeoutMs: 5000, pingIntervalMs: 1000, deadAfterMs: 3000 });
    socket.start();
    server.last().on.open();
    await vi.advanceTimersByTimeAsync(5000);
    expect(server.conns[0]!.closedByClient).toBe(true);
    expect(socket.getState().status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(500);
    const c = server.last();
    c.frame(hello({ lastSeq: 1 }));
    await vi.advanceTimersByTimeAsync(1000);
    expect(c.sent).toMatchObject([{ type: 'ping' }]);
    c.frame({ type: 'pong', t0: 0, server_time: 0 });
    await vi.advanceTimersByTimeAsync(2000);
    expect(c.closedByClient).toBe(false);
    await vi.advanceTimersByTimeAsync(2000); // nothing heard for more than 3 s
    expect(c.closedByClient).toBe(true);
    expect(socket.getState().status).toBe('reconnecting');
  });

  it('goes down when the browser goes offline and tries again at once when it is back', async () => {
    const { socket, server } = setup();
    socket.start();
    server.last().frame(hello({ lastSeq: 3 }));
    socket.networkLost();
    expect(server.conns[0]!.closedByClient).toBe(true);
    expect(socket.getState().status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(500);
    server.last().drop(); // offline: the attempt fails
    expect(server.conns).toHaveLength(2);
    socket.reconnectNow();
    expect(server.conns).toHaveLength(3);
    expect(server.last().url).toBe(`${URL_BASE}?resume_from=3`);
  });

  it('close() closes the socket and stops reconnecting', async () => {
    const { socket, server } = setup();
    socket.start();
    server.last().frame(hello({ lastSeq: 1 }));
    socket.close();
    expect(server.last().closedByClient).toBe(true);
    expect(socket.getState().status).toBe('closed');
    server.last().drop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.conns).toHaveLength(1);
    expect(socket.send('late')).toEqual({ ok: false, reason: 'closed' });
  });

  it('keeps the participants from the snapshot and the seq\'d participant and media.state events', () => {
    const { socket, server } = setup();
    socket.start();
    server.last().frame(hello({ participants: [participant('p1', 'Ada'), participant('p2', 'Bo', { camera: true })], lastSeq: 4 }));
    expect(socket.getState().participantId).toBe('p1');
    const view = () => socket.getState().participants.map((p) => `${p.id}:${p.name}:${p.mic ? 'M' : '-'}${p.camera ? 'C' : '-'}`);
    expect(view()).toEqual(['p1:Ada:--', 'p2:Bo:-C']);
    server.last().frame({ type: 'participant.joined', seq: 5, participant: participant('p3', 'Cy') });
    server.last().frame({ type: 'media.state', seq: 6, participant_id: 'p3', mic: true, camera: false });
    server.last().frame({ type: 'participant.left', seq: 7, participant_id: 'p2' });
    expect(view()).toEqual(['p1:Ada:--', 'p3:Cy:M-']);
    expect(socket.getState().lastSeq).toBe(7);
    // Our own media.state echo without a seq is not a room event.
    server.last().frame({ type: 'media.state', participant_id: 'p3', mic: false, camera: true });
    expect(view()).toEqual(['p1:Ada:--', 'p3:Cy:M-']);
  });

  it('a resumed hello replaces the participants and replayed events land on top; a new connection has a new participant id', async () => {
    const { socket, server } = setup();
    socket.start();
    server.last().frame(hello({ participants: [participant('p1', 'Ada'), participant('p2', 'Bo')], lastSeq: 3 }));
    server.last().drop();
    await vi.advanceTimersByTimeAsync(500);
    const c = server.last();
    // Meanwhile: Bo turned his camera on, Cy came and went, Dee came with a mic on; we are p9 now.
    c.frame(hello({ pid: 'p9', participants: [participant('p2', 'Bo', { camera: true }), participant('p4', 'Dee', { mic: true }), participant('p9', 'Ada')], lastSeq: 9, resumed: true }));
    c.frame({ type: 'participant.left', seq: 4, participant_id: 'p1' });
    c.frame({ type: 'media.state', seq: 5, participant_id: 'p2', mic: false, camera: true });
    c.frame({ type: 'participant.joined', seq: 6, participant: participant('p3', 'Cy') });
    c.frame({ type: 'participant.left', seq: 7, participant_id: 'p3' });
    c.frame({ type: 'participant.joined', seq: 8, participant: participant('p4', 'Dee') });
    c.frame({ type: 'media.state', seq: 8, participant_id: 'p4', mic: true, camera: false });
    c.frame({ type: 'participant.joined', seq: 9, participant: participant('p9', 'Ada') });
    const s = socket.getState();
    expect(s.participantId).toBe('p9');
    expect(s.participants.map((p) => `${p.id}:${p.mic ? 'M' : '-'}${p.camera ? 'C' : '-'}`)).toEqual(['p2:-C', 'p4:M-', 'p9:--']);
  });
});

describe('createRoomSocket: the end of a room and signing out', () => {
  /** Runs the clock a minute on: long past any backoff. */
  const aMinuteLater = () => vi.advanceTimersByTimeAsync(60_000);

  it('on room.ended marks the room ended with its reason, hands the event on, closes and never reconnects', async () => {
    const { socket, server } = setup();
    const frames: string[] = [];
    socket.onFrame((f) => frames.push(f.type));
    socket.start();
    const c = server.last();
    c.frame(hello({ lastSeq: 4 }));
    c.frame({ type: 'room.ended', seq: 5, room: { status: 'ended', ended_reason: 'owner_ended', ended_at: '2026-05-01T20:00:00Z' } });

    const s = socket.getState();
    expect(s.status).toBe('ended');
    expect(s.ending).toEqual({ reason: 'owner_ended', at: '2026-05-01T20:00:00Z' });
    expect(s.room).toMatchObject({ title: 'Film', status: 'ended', ended_reason: 'owner_ended', ended_at: '2026-05-01T20:00:00Z' });
    expect(s.lastSeq).toBe(5);
    expect(frames).toEqual(['hello', 'room.ended']);
    expect(c.closedByClient).toBe(true);

    c.drop(4410); // the server's close that follows
    socket.networkLost();
    socket.reconnectNow();
    await aMinuteLater();
    expect(server.conns).toHaveLength(1);
    expect(socket.getState().status).toBe('ended');
    expect(socket.send('anyone there?')).toEqual({ ok: false, reason: 'closed' });
    expect(socket.sendFrame({ type: 'ping' })).toBe(false);
    socket.close(); // leaving the page keeps the ended status
    expect(socket.getState().status).toBe('ended');
  });

  it('a close with 4410 alone ends the room too (reason unknown) and never reconnects', async () => {
    const { socket, server } = setup();
    socket.start();
    server.last().frame(hello({ lastSeq: 4 }));
    server.last().drop(4410);
    expect(socket.getState()).toMatchObject({ status: 'ended', ending: { reason: null, at: null }, room: { status: 'ended', ended_reason: null } });
    socket.reconnectNow();
    await aMinuteLater();
    expect(server.conns).toHaveLength(1);
  });

  it('a write refused with room_ended ends the room', async () => {
    const { socket, server } = setup();
    socket.start();
    server.last().frame(hello({ lastSeq: 4 }));
    socket.send('hello?');
    server.last().frame({ type: 'error', code: 'room_ended', message: 'This room has ended', id: 'c-1' });
    expect(socket.getState().status).toBe('ended');
    expect(server.last().closedByClient).toBe(true);
    await aMinuteLater();
    expect(server.conns).toHaveLength(1);
  });

  it('a close with 4401 says signed out and never reconnects, also before the hello', async () => {
    for (const beforeHello of [false, true]) {
      const { socket, server } = setup();
      socket.start();
      if (!beforeHello) server.last().frame(hello({ lastSeq: 4 }));
      server.last().drop(4401);
      expect(socket.getState().status).toBe('signed_out');
      expect(socket.getState().ending).toBeNull();
      socket.networkLost();
      socket.reconnectNow();
      await aMinuteLater();
      expect(server.conns).toHaveLength(1);
      expect(socket.send('still here')).toEqual({ ok: false, reason: 'closed' });
    }
  });

  it.each([1000, 1001, 1006, 1008, 1011, 4000])('reconnects after any other close code (%i)', async (code) => {
    const { socket, server } = setup();
    socket.start();
    server.last().frame(hello({ lastSeq: 4 }));
    server.last().drop(code);
    expect(socket.getState().status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(500);
    expect(server.conns).toHaveLength(2);
  });
});
