// "My rooms": the groups a person sees (live, coming up, ended), each room's facts and link, and the
// owner's new key or password for a private room; in English and Russian, every control named.
import type { ReactNode } from 'react';
import { MemoryRouter } from 'react-router-dom';
import { beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../core/api';
import type { Locale } from '../../core/i18n';
import type { Room } from '../../core/rooms_api';
import { AppRoutes } from '../../app/App';
import { unnamedControls } from '../../test/accessible_names';
import { renderWithServices } from '../../test/render';
import { Header } from '../../ui/Header';
import { groupMyRooms } from './my_rooms';
import { MyRoomsList } from './MyRoomsPage';

beforeAll(() => {
  process.env.TZ = 'UTC';
});

const ada: User = { id: '7', username: 'ada', display_name: 'Ada', created_at: '2026-01-01T00:00:00Z' };
const base: Room = {
  slug: 'abcdefghjk',
  title: 'Friday film',
  description: '',
  visibility: 'public',
  status: 'live',
  starts_at: null,
  duration_minutes: 95,
  owner: { id: '7', username: 'ada', display_name: 'Ada' },
  participants: 0,
  url: 'http://kino.test/r/abcdefghjk',
  media: { state: 'none', percent: 0, eta_s: null, error: null, playable: false, duration_s: null },
  created_at: '2026-11-01T10:00:00Z',
  live_at: null,
  ended_at: null,
  ended_reason: null,
  is_owner: true,
  joined: true,
  display_name: 'Ada',
};
const rooms: Room[] = [
  { ...base, slug: 'keyroom001', title: 'Secret screening', visibility: 'private', protected_by: 'access_key', url: 'http://kino.test/r/keyroom001' },
  { ...base, slug: 'pwroom0001', title: 'Family night', visibility: 'private', protected_by: 'password', status: 'scheduled', starts_at: '2026-12-24T19:00:00Z' },
  { ...base, slug: 'soon000001', title: 'Sooner', status: 'scheduled', starts_at: '2026-12-20T19:00:00Z' },
  { ...base, slug: 'theirs0001', title: 'Bo’s room', is_owner: false, owner: { id: '8', username: 'bo', display_name: 'Bo' } },
  { ...base, slug: 'oldroom001', title: 'Last week', status: 'ended', ended_at: '2026-11-30T22:00:00Z', visibility: 'private', protected_by: 'access_key' },
];
const rotateKey = () => Promise.reject(new Error('not in this test'));

function render(node: ReactNode, opts: { user?: User; locale?: Locale; path?: string } = {}): string {
  return renderWithServices(<MemoryRouter initialEntries={[opts.path ?? '/']}>{node}</MemoryRouter>, opts);
}

describe('groupMyRooms', () => {
  it('live, then coming up soonest first, then ended most recent first', () => {
    const ended2 = { ...rooms[4]!, slug: 'older00001', ended_at: '2026-11-01T22:00:00Z' };
    const g = groupMyRooms([ended2, ...rooms]);
    expect(g.live.map((r) => r.slug)).toEqual(['keyroom001', 'theirs0001']);
    expect(g.upcoming.map((r) => r.slug)).toEqual(['soon000001', 'pwroom0001']);
    expect(g.ended.map((r) => r.slug)).toEqual(['oldroom001', 'older00001']);
  });
});

describe('my rooms page', () => {
  it('shows each group with its rooms: status, private, my part, times, the link again; every control named', () => {
    const html = render(<MyRoomsList rooms={rooms} rotateKey={rotateKey} />, { user: ada });
    const headings = [...html.matchAll(/<h2 id="my-rooms-(\w+)">([^<]+)/g)].map((m) => `${m[1]}:${m[2]!.trim()}`);
    expect(headings).toEqual(['live:Live now', 'upcoming:Coming up', 'ended:Ended — the archive']);
    expect(html).toMatch(/<a href="\/r\/keyroom001"[^>]*>Secret screening<\/a>/);
    expect(html).toContain('Hosted by Bo');
    expect(html).toContain('You host');
    expect(html).toContain('Starts ');
    expect(html).toContain('Ended ');
    expect(html).toMatch(/value="http:\/\/kino\.test\/r\/keyroom001"/);
    // The owner's private rooms that have not ended: a new access key, or a new password.
    expect(html).toMatch(/<button[^>]*aria-label="New access key: Secret screening"[^>]*>New access key<\/button>/);
    expect(html).toContain('aria-label="New password for Family night"');
    expect(html).toContain('>Change password</button>');
    expect(html.match(/>New access key</g)).toHaveLength(1); // not for the ended one
    expect(unnamedControls(html)).toEqual([]);
  });

  it('says so when there are no rooms, with the way to create one; in Russian too', () => {
    const html = render(<MyRoomsList rooms={[]} rotateKey={rotateKey} />, { user: ada });
    expect(html).toContain('You have no rooms yet.');
    expect(html).toContain('href="/new"');
    const ru = render(<MyRoomsList rooms={rooms} rotateKey={rotateKey} />, { user: ada, locale: 'ru' });
    expect(ru).toContain('Идут сейчас');
    expect(ru).toContain('Новый ключ доступа');
    expect(ru).toContain('Вы ведущий');
  });

  it('is reached from the header when signed in, and asks a signed-out visitor to log in', () => {
    const header = render(<Header />, { user: ada, path: '/' });
    expect(header).toMatch(/<a class="btn btn-ghost" href="\/my"[^>]*>My rooms<\/a>/);
    expect(render(<Header />, { path: '/' })).not.toContain('My rooms');
    const out = render(<AppRoutes />, { path: '/my' });
    expect(out).toContain('>My rooms</h1>');
  });
});
