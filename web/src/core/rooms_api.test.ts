import { describe, expect, it } from 'vitest';
import { ApiError, type FetchLike } from './api';
import { calendarUrl, createRoomsApi, parseRoom, roomPath } from './rooms_api';

interface Call {
  url: string;
  init: RequestInit;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

function fakeFetch(...responses: Response[]) {
  const calls: Call[] = [];
  const fetch: FetchLike = async (url, init = {}) => {
    calls.push({ url, init });
    const next = responses.shift();
    if (!next) throw new Error('unexpected request ' + url);
    return next;
  };
  return { fetch, calls };
}

const header = (call: Call | undefined, name: string) => ((call?.init.headers ?? {}) as Record<string, string>)[name];
const body = (call: Call | undefined) => JSON.parse(String(call?.init.body)) as unknown;

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected the call to reject');
}

const wireRoom = {
  slug: 'abcdefghjk',
  title: 'Friday film',
  description: '',
  visibility: 'private',
  status: 'scheduled',
  starts_at: '2026-12-01T18:00:00Z',
  duration_minutes: 120,
  owner: { id: '7', username: 'ada', display_name: 'Ada' },
  participants: 3,
  url: 'http://kino.test/r/abcdefghjk',
  media: { state: 'downloading', percent: 12.5, eta_s: 30, error: null, playable: false, duration_s: null },
  created_at: '2026-11-01T10:00:00Z',
  live_at: null,
  ended_at: null,
  ended_reason: null,
  is_owner: false,
  joined: true,
  display_name: 'Bob',
  protected_by: 'access_key',
  video_url: 'https://cdn.test/film.mp4',
};

describe('rooms API requests', () => {
  it('create POSTs only what applies, with the CSRF header, and returns the key when one came back', async () => {
    const { fetch, calls } = fakeFetch(json(201, { room: wireRoom, url: wireRoom.url, access_key: 'k7m2-x9pq-r4tz-w8hn' }));
    const created = await createRoomsApi({ fetch }).create({
      title: 'Friday film',
      video_url: 'https://cdn.test/film.mp4',
      visibility: 'private',
      starts_at: '2026-12-01T18:00:00Z',
      duration_minutes: 90,
      description: '',
    });
    expect(calls[0]?.url).toBe('/api/v1/rooms');
    expect(calls[0]?.init.method).toBe('POST');
    expect(header(calls[0], 'X-Kino-CSRF')).toBe('1');
    expect(body(calls[0])).toEqual({
      title: 'Friday film',
      video_url: 'https://cdn.test/film.mp4',
      visibility: 'private',
      starts_at: '2026-12-01T18:00:00Z',
      duration_minutes: 90,
    });
    expect(created.url).toBe('http://kino.test/r/abcdefghjk');
    expect(created.access_key).toBe('k7m2-x9pq-r4tz-w8hn');
    expect(created.room.title).toBe('Friday film');
  });

  it('create never sends a password for a public room, and has no key without one', async () => {
    const { fetch, calls } = fakeFetch(json(201, { room: { ...wireRoom, visibility: 'public' }, url: wireRoom.url }));
    const created = await createRoomsApi({ fetch }).create({ title: 't', video_url: 'https://x.test/v', visibility: 'public', password: 'secret1' });
    expect(body(calls[0])).toEqual({ title: 't', video_url: 'https://x.test/v', visibility: 'public' });
    expect(created.access_key).toBeUndefined();
  });

  it('list asks for one status and parses every room', async () => {
    const { fetch, calls } = fakeFetch(json(200, { rooms: [wireRoom, { ...wireRoom, slug: 'mnpqrstuvw' }] }));
    const rooms = await createRoomsApi({ fetch }).list('scheduled');
    expect(calls[0]?.url).toBe('/api/v1/rooms?status=scheduled');
    expect(calls[0]?.init.method).toBe('GET');
    expect(header(calls[0], 'X-Kino-CSRF')).toBeUndefined();
    expect(rooms.map((r) => r.slug)).toEqual(['abcdefghjk', 'mnpqrstuvw']);
  });

  it('get, update and end use the slug in the path; update sends only the given fields', async () => {
    const { fetch, calls } = fakeFetch(json(200, { room: wireRoom }), json(200, { room: wireRoom }), json(200, { room: { ...wireRoom, status: 'ended', ended_reason: 'cancelled' } }));
    const api = createRoomsApi({ fetch, baseUrl: 'http://kino.test' });
    await api.get('abcdefghjk');
    await api.update('abcdefghjk', { title: 'New title' });
    const ended = await api.end('abcdefghjk');
    expect(calls.map((c) => `${c.init.method} ${c.url}`)).toEqual([
      'GET http://kino.test/api/v1/rooms/abcdefghjk',
      'PATCH http://kino.test/api/v1/rooms/abcdefghjk',
      'POST http://kino.test/api/v1/rooms/abcdefghjk/end',
    ]);
    expect(body(calls[1])).toEqual({ title: 'New title' });
    expect(header(calls[1], 'X-Kino-CSRF')).toBe('1');
    expect(header(calls[2], 'X-Kino-CSRF')).toBe('1');
    expect(ended).toMatchObject({ status: 'ended', ended_reason: 'cancelled' });
  });

  it('join sends the key and the name, and reads the grant', async () => {
    const { fetch, calls } = fakeFetch(json(200, { grant: { room: 'abcdefghjk', display_name: 'Bob', guest: true }, room: wireRoom }));
    const joined = await createRoomsApi({ fetch }).join('abcdefghjk', { key: 'k7m2-x9pq', display_name: 'Bob' });
    expect(calls[0]?.url).toBe('/api/v1/rooms/abcdefghjk/join');
    expect(body(calls[0])).toEqual({ key: 'k7m2-x9pq', display_name: 'Bob' });
    expect(joined).toMatchObject({ display_name: 'Bob', guest: true, room: { joined: true } });
  });

  it('join with nothing sends an empty object (a logged-in visitor of a public room)', async () => {
    const { fetch, calls } = fakeFetch(json(200, { grant: { room: 'x', display_name: 'Ada', guest: false }, room: wireRoom }));
    await createRoomsApi({ fetch }).join('abcdefghjk', {});
    expect(body(calls[0])).toEqual({});
  });

  it('ingest reads the media state with its history; retry POSTs with the CSRF header', async () => {
    const state = { state: 'failed', percent: 0, eta_s: null, error: 'HTTP 404 from the source', playable: false, duration_s: null, history: [{ state: 'queued', at: '2026-11-01T10:00:00Z' }] };
    const { fetch, calls } = fakeFetch(json(200, state), json(200, { ...state, state: 'queued', error: null }), json(409, { error: { code: 'not_failed', message: 'x' } }));
    const api = createRoomsApi({ fetch });
    expect(await api.ingest('abcdefghjk')).toMatchObject({ state: 'failed', error: 'HTTP 404 from the source', history: [{ state: 'queued' }] });
    expect(await api.retryIngest('abcdefghjk')).toMatchObject({ state: 'queued', error: null });
    expect((await rejection(api.retryIngest('abcdefghjk'))).code).toBe('not_failed');
    expect(calls.map((c) => `${c.init.method} ${c.url}`)).toEqual([
      'GET /api/v1/rooms/abcdefghjk/ingest',
      'POST /api/v1/rooms/abcdefghjk/ingest/retry',
      'POST /api/v1/rooms/abcdefghjk/ingest/retry',
    ]);
    expect(header(calls[1], 'X-Kino-CSRF')).toBe('1');
  });

  it('mine reads my rooms; rotateKey POSTs a password or nothing, with the CSRF header, and returns a generated key', async () => {
    const { fetch, calls } = fakeFetch(
      json(200, { rooms: [wireRoom] }),
      json(200, { url: 'http://k/r/abcdefghjk', room: wireRoom, access_key: 'k7m2-x9pq-aaaa-bbbb' }),
      json(200, { url: 'http://k/r/abcdefghjk', room: wireRoom }),
    );
    const api = createRoomsApi({ fetch });
    expect((await api.mine()).map((r) => r.slug)).toEqual(['abcdefghjk']);
    expect(calls[0]!.url).toBe('/api/v1/me/rooms');
    const rotated = await api.rotateKey('abcdefghjk', null);
    expect(rotated.access_key).toBe('k7m2-x9pq-aaaa-bbbb');
    expect(calls[1]!.url).toBe('/api/v1/rooms/abcdefghjk/key');
    expect(calls[1]!.init.method).toBe('POST');
    expect(header(calls[1], 'X-Kino-CSRF')).toBe('1');
    expect(body(calls[1])).toEqual({});
    expect((await api.rotateKey('abcdefghjk', 'new-popcorn')).access_key).toBeUndefined();
    expect(body(calls[2])).toEqual({ password: 'new-popcorn' });
  });

  it('encodes a hostile slug instead of letting it change the path', async () => {
    const { fetch, calls } = fakeFetch(json(404, { error: { code: 'room_not_found', message: 'no' } }));
    await rejection(createRoomsApi({ fetch }).get('../me?x=1'));
    expect(calls[0]?.url).toBe('/api/v1/rooms/..%2Fme%3Fx%3D1');
  });
});

describe('rooms API errors', () => {
  it('maps 403 room_private, 404 room_not_found and the key errors with their field', async () => {
    const { fetch } = fakeFetch(
      json(403, { error: { code: 'room_private', message: 'private' } }),
      json(404, { error: { code: 'room_not_found', message: 'none' } }),
      json(403, { error: { code: 'wrong_room_key', message: 'wrong', field: 'key' } }),
    );
    const api = createRoomsApi({ fetch });
    expect(await rejection(api.get('a'))).toMatchObject({ status: 403, code: 'room_private' });
    expect(await rejection(api.get('b'))).toMatchObject({ status: 404, code: 'room_not_found' });
    expect(await rejection(api.join('c', { key: 'x' }))).toMatchObject({ status: 403, code: 'wrong_room_key', field: 'key' });
  });

  it('carries Retry-After on 429 and the field on 422', async () => {
    const { fetch } = fakeFetch(
      json(429, { error: { code: 'rate_limited', message: 'slow down' } }, { 'Retry-After': '42' }),
      json(422, { error: { code: 'invalid_field', message: 'bad', field: 'starts_at' } }),
    );
    const api = createRoomsApi({ fetch });
    expect(await rejection(api.join('a', { key: 'x' }))).toMatchObject({ code: 'rate_limited', retryAfterS: 42 });
    expect(await rejection(api.create({ title: 't', video_url: 'https://x.test', visibility: 'public' }))).toMatchObject({ code: 'invalid_field', field: 'starts_at' });
  });

  it('rejects a 200 that does not hold a room', async () => {
    const { fetch } = fakeFetch(json(200, { room: { slug: 'x' } }), json(200, { rooms: 'nope' }));
    const api = createRoomsApi({ fetch });
    expect((await rejection(api.get('x'))).code).toBe('bad_response');
    expect((await rejection(api.list('live'))).code).toBe('bad_response');
  });
});

describe('parseRoom', () => {
  it('keeps the known fields and drops unknown values of optional ones', () => {
    const room = parseRoom({ ...wireRoom, protected_by: 'magic', participants: -4, ended_reason: 5, extra: 'x' });
    expect(room.protected_by).toBeUndefined();
    expect(room.participants).toBe(0);
    expect(room.ended_reason).toBeNull();
    expect(room).not.toHaveProperty('extra');
    expect(room.video_url).toBe('https://cdn.test/film.mp4');
  });
  it('needs a known status and visibility', () => {
    expect(() => parseRoom({ ...wireRoom, status: 'paused' })).toThrow(ApiError);
    expect(() => parseRoom({ ...wireRoom, visibility: 'secret' })).toThrow(ApiError);
    expect(() => parseRoom(null)).toThrow(ApiError);
  });
});

describe('paths', () => {
  it('builds the room and calendar addresses', () => {
    expect(roomPath('abcdefghjk')).toBe('/r/abcdefghjk');
    expect(calendarUrl('abcdefghjk')).toBe('/api/v1/rooms/abcdefghjk/calendar.ics');
  });
});
