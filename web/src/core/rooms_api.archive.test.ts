// The ended room's archive and chat as the app reads them: good responses parse, malformed ones
// reject with `bad_response` instead of reaching the archive view half-formed.
import { describe, expect, it } from 'vitest';
import { ApiError, type FetchLike } from './api';
import { createRoomsApi, parseArchive, parseTranscript } from './rooms_api';
import { endedRoomJson } from '../test/archive_fixtures';

const room = endedRoomJson({ owner: { id: '7', username: 'ann', display_name: 'Ann' } });

const action = {
  seq: 1,
  action: 'pause',
  by: { id: 'u7', name: 'Ann' },
  at: '2026-12-01T18:00:03.250Z',
  position_s: 3,
  playing: false,
  rate: 1,
  volume: 0.4,
  muted: false,
};

const message = {
  id: '11',
  client_id: 'c1',
  seq: 5,
  author: { id: 'u7', name: 'Ann' },
  text: 'at three seconds',
  sent_at: '2026-12-01T18:00:04.000Z',
};

function rejectsAsBad(f: () => unknown) {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).code).toBe('bad_response');
    return;
  }
  throw new Error('expected a bad_response');
}

describe('parseArchive', () => {
  it('reads people and the timeline, in seq order, with instants as ms', () => {
    const server = { ...action, seq: 0, action: 'play', by: null, at: '2026-12-01T18:00:00.000Z', playing: true };
    const visits = [
      { joined_at: '2026-12-01T18:30:00Z', left_at: null },
      { joined_at: '2026-12-01T17:59:00Z', left_at: '2026-12-01T18:10:00.500Z' },
    ];
    const a = parseArchive({ room, people: [{ id: 'u7', name: 'Ann', joined_at: '2026-12-01T17:59:00Z', visits }], timeline: [action, server] });
    expect(a.room.status).toBe('ended');
    expect(a.people).toEqual([
      {
        id: 'u7',
        name: 'Ann',
        joined_at: '2026-12-01T17:59:00Z',
        visits: [
          { joined_at: '2026-12-01T17:59:00Z', joined_at_ms: Date.UTC(2026, 11, 1, 17, 59), left_at: '2026-12-01T18:10:00.500Z', left_at_ms: Date.UTC(2026, 11, 1, 18, 10, 0, 500) },
          { joined_at: '2026-12-01T18:30:00Z', joined_at_ms: Date.UTC(2026, 11, 1, 18, 30), left_at: null, left_at_ms: null },
        ],
      },
    ]);
    expect(a.timeline.map((e) => e.seq)).toEqual([0, 1]);
    expect(a.timeline[0]).toMatchObject({ by: null, playing: true, at_ms: Date.UTC(2026, 11, 1, 18) });
    expect(a.timeline[1]).toMatchObject({ action: 'pause', by: { name: 'Ann' }, position_s: 3, volume: 0.4, at_ms: Date.UTC(2026, 11, 1, 18, 0, 3, 250) });
  });

  it.each([
    ['no timeline', { room, people: [] }],
    ['no room', { people: [], timeline: [] }],
    ['a person without a name', { room, people: [{ id: 'u1', joined_at: 'x' }], timeline: [] }],
    ['visits that are not a list', { room, people: [{ id: 'u1', name: 'A', joined_at: 'x', visits: {} }], timeline: [] }],
    ['a visit without its join', { room, people: [{ id: 'u1', name: 'A', joined_at: 'x', visits: [{ left_at: null }] }], timeline: [] }],
    ['a visit whose leave is not a time', { room, people: [{ id: 'u1', name: 'A', joined_at: 'x', visits: [{ joined_at: '2026-12-01T18:00:00Z', left_at: 'later' }] }], timeline: [] }],
    ['a negative position', { room, people: [], timeline: [{ ...action, position_s: -1 }] }],
    ['a position as text', { room, people: [], timeline: [{ ...action, position_s: '3' }] }],
    ['an instant that is not one', { room, people: [], timeline: [{ ...action, at: 'yesterday' }] }],
    ['playing as a number', { room, people: [], timeline: [{ ...action, playing: 1 }] }],
    ['a zero rate', { room, people: [], timeline: [{ ...action, rate: 0 }] }],
    ['`by` without a name', { room, people: [], timeline: [{ ...action, by: { id: 'u1' } }] }],
  ])('rejects %s', (_what, body) => {
    rejectsAsBad(() => parseArchive(body));
  });
});

describe('parseTranscript', () => {
  it('reads the messages in seq order with sent_at as ms', () => {
    const t = parseTranscript({ room, messages: [message, { ...message, id: '10', seq: 4, text: '<b>hi</b>' }] });
    expect(t.messages.map((m) => m.seq)).toEqual([4, 5]);
    expect(t.messages[0]?.text).toBe('<b>hi</b>');
    expect(t.messages[1]).toMatchObject({ author: { id: 'u7', name: 'Ann' }, sent_at_ms: Date.UTC(2026, 11, 1, 18, 0, 4) });
  });

  it.each([
    ['no messages', { room }],
    ['a message without text', { room, messages: [{ ...message, text: undefined }] }],
    ['a message without an author', { room, messages: [{ ...message, author: null }] }],
    ['a bad sent_at', { room, messages: [{ ...message, sent_at: 'soon' }] }],
    ['a seq as text', { room, messages: [{ ...message, seq: '5' }] }],
  ])('rejects %s', (_what, body) => {
    rejectsAsBad(() => parseTranscript(body));
  });
});

describe('archive requests', () => {
  it('GETs …/archive and …/transcript.json of the room', async () => {
    const urls: string[] = [];
    const bodies = [{ room, people: [], timeline: [action] }, { room, messages: [message] }];
    const fetch: FetchLike = async (url) => {
      urls.push(url);
      return new Response(JSON.stringify(bodies.shift()), { status: 200, headers: { 'Content-Type': 'application/json' } });
    };
    const api = createRoomsApi({ fetch });
    expect((await api.archive('abcdefghjk')).timeline).toHaveLength(1);
    expect((await api.transcript('abcdefghjk')).messages).toHaveLength(1);
    expect(urls).toEqual(['/api/v1/rooms/abcdefghjk/archive', '/api/v1/rooms/abcdefghjk/transcript.json']);
  });
});
