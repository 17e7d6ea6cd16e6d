// Server-side renders of the room pages and widgets (no DOM): what a person and a screen reader get.
import type { ReactNode } from 'react';
import { MemoryRouter } from 'react-router-dom';
import { beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../core/api';
import type { Locale } from '../../core/i18n';
import type { CreatedRoom, Room } from '../../core/rooms_api';
import { NotFoundPage } from '../errors/NotFoundPage';
import { RoomListSection } from '../home/RoomListSection';
import { AppRoutes } from '../../app/App';
import { unnamedControls } from '../../test/accessible_names';
import { renderWithServices } from '../../test/render';
import { RoomAccessPage } from './RoomAccessPage';
import { RoomJoin } from './RoomJoin';
import { RoomLobby } from './RoomLobby';
import { RoomSignedOut } from './RoomSignedOut';
import { RoomView } from './RoomView';
import { SharePanel } from './SharePanel';

beforeAll(() => {
  process.env.TZ = 'UTC';
});

const ada: User = { id: '7', username: 'ada', display_name: 'Ada', created_at: '2026-01-01T00:00:00Z' };
const noop = () => {};
const noopAsync = () => Promise.resolve();

const room: Room = {
  slug: 'abcdefghjk',
  title: 'Friday film',
  description: 'Bring snacks',
  visibility: 'public',
  status: 'scheduled',
  starts_at: '2026-12-01T18:00:00Z',
  duration_minutes: 95,
  owner: { id: '7', username: 'ada', display_name: 'Ada' },
  participants: 3,
  url: 'http://kino.test/r/abcdefghjk',
  media: { state: 'queued', percent: 0, eta_s: null, error: null, playable: false, duration_s: null },
  created_at: '2026-11-01T10:00:00Z',
  live_at: null,
  ended_at: null,
  ended_reason: null,
  is_owner: false,
  joined: true,
  display_name: 'Bob',
};

function render(node: ReactNode, opts: { user?: User; locale?: Locale; path?: string } = {}): string {
  return renderWithServices(<MemoryRouter initialEntries={[opts.path ?? '/']}>{node}</MemoryRouter>, opts);
}

/** Each `<label for=X>` text → is there an input/textarea with id X? */
function labelled(html: string, label: string): boolean {
  const m = new RegExp(`<label class="field-label" for="([^"]+)">${label.replace(/[()]/g, '\\$&')}</label>`).exec(html);
  return !!m && new RegExp(`<(input|textarea)[^>]*id="${m[1]}"`).test(html);
}

describe('create-room page', () => {
  it('labels every field and states the rules up front, with the time zone', () => {
    const html = render(<AppRoutes />, { user: ada, path: '/new' });
    expect(html).toContain('>Create a room</h1>');
    for (const label of ['Title', 'Video link', 'Start time (optional)', 'Expected length, minutes', 'Description (optional)']) {
      expect(labelled(html, label), label).toBe(true);
    }
    expect(html).toContain('1–120 characters.');
    expect(html).toContain('Times are in your time zone: UTC.');
    expect(html).toMatch(/<input type="datetime-local"/);
    expect(html).toMatch(/name="duration_minutes" value="120"/);
    expect(html).toMatch(/<fieldset class="radio-group"><legend class="field-label">Who can join<\/legend>/);
    expect(html).toMatch(/<input type="radio"[^>]*name="visibility" checked="" value="public"/);
    expect(html).toMatch(/<button type="submit"[^>]*>Create room<\/button>/);
  });
});

describe('share panel', () => {
  const created: CreatedRoom = {
    room: { ...room, visibility: 'private', status: 'live', starts_at: null, protected_by: 'access_key', is_owner: true },
    url: 'http://kino.test/r/abcdefghjk',
    access_key: 'k7m2-x9pq-r4tz-w8hn',
  };

  it('shows the short link, the key once with a warning, and the link with the key in the fragment', () => {
    const html = render(<SharePanel created={created} onAnother={noop} />);
    expect(html).toContain('>Your room is ready</h1>');
    expect(html).toMatch(/>Short link<\/label><div class="copy-row"><input[^>]*readOnly=""[^>]*value="http:\/\/kino.test\/r\/abcdefghjk"/);
    expect(html).toMatch(/>Access key<\/label><div class="copy-row"><input[^>]*value="k7m2-x9pq-r4tz-w8hn"/);
    expect(html).toContain('value="http://kino.test/r/abcdefghjk#key=k7m2-x9pq-r4tz-w8hn"');
    expect(html).toContain('Save this key now.');
    expect(html).toContain('role="note"');
    for (const what of ['short link', 'access key', 'link with key']) {
      expect(html).toContain(`Copy<span class="visually-hidden"> ${what}</span></button>`);
    }
    expect(html).toMatch(/<a class="btn btn-primary btn-lg" href="\/r\/abcdefghjk"[^>]*>Open room<\/a>/);
  });

  it('shows how far the video is, as a progress bar', () => {
    const html = render(<SharePanel created={created} onAnother={noop} />);
    expect(html).toMatch(/<section class="share-ingest" aria-labelledby="([^"]+)"><h2 class="share-ingest-title" id="\1">Video preparation<\/h2>/);
    expect(html).toMatch(/role="progressbar"[^>]*aria-valuenow="0" aria-valuetext="Queued"/);
    expect(html).toContain('Kino starts fetching the video as soon as the videos before it are done.');
  });

  it('has no key fields for a public room', () => {
    const html = render(<SharePanel created={{ room: { ...room, status: 'live' }, url: room.url }} onAnother={noop} />);
    expect(html).not.toContain('Access key');
    expect(html).not.toContain('#key=');
    expect(html).toContain('Short link');
  });
});

describe('the door of a private room', () => {
  const door = { title: 'Secret screening', host: { display_name: 'Olga Owner' }, protected_by: 'password' } as const;

  it('invites a guest in: title, host, "enter the password", a hidden field with a show toggle, a name; no error code', () => {
    const html = render(<RoomAccessPage slug="abcdefghjk" door={door} initialKey={null} loggedIn={false} onJoined={noop} />);
    expect(html).toContain('>Secret screening</h1>');
    expect(html).toContain('Hosted by Olga Owner');
    expect(html).toContain('This room is private — enter the password to join.');
    expect(html).not.toContain('403');
    expect(html).toMatch(/<form class="access-form" noValidate="" aria-label="Join the private room">/);
    expect(labelled(html, 'Room password')).toBe(true);
    expect(html).toMatch(/<input type="password"[^>]*name="room_key"/);
    expect(html).toMatch(/<label class="room-door-show"><input type="checkbox"\/>Show password<\/label>/);
    expect(labelled(html, 'Your name')).toBe(true);
    expect(html).toContain('Go to the home page');
  });

  it('an access-key room asks for its access key, prefilled from the link; in Russian too', () => {
    const html = render(
      <RoomAccessPage slug="abcdefghjk" door={{ ...door, protected_by: 'access_key' }} initialKey="k7m2-x9pq" loggedIn={false} onJoined={noop} />,
    );
    expect(labelled(html, 'Access key')).toBe(true);
    expect(html).toMatch(/<input type="password"[^>]*name="room_key" value="k7m2-x9pq"/);
    expect(html).toContain('Show access key');
    const ru = render(<RoomAccessPage slug="abcdefghjk" door={door} initialKey={null} loggedIn={false} onJoined={noop} />, { locale: 'ru' });
    expect(ru).toContain('Ведущий: Olga Owner');
    expect(ru).toContain('Это закрытая комната — чтобы войти, введите пароль.');
    expect(ru).toContain('Показать пароль');
  });

  it('without the door (an older server) it still asks for the password or access key; a logged-in visitor gives no name', () => {
    const html = render(<RoomAccessPage slug="abcdefghjk" door={null} initialKey={null} loggedIn onJoined={noop} />, { user: ada });
    expect(html).toContain('>This room is private</h1>');
    expect(labelled(html, 'Password or access key')).toBe(true);
    expect(html).not.toContain('Your name');
  });
});

describe('joining a public room', () => {
  it('a guest sees the room title and the name form', () => {
    const html = render(<RoomJoin room={{ ...room, joined: false, status: 'live' }} loggedIn={false} onJoined={noop} onEnded={noop} />);
    expect(html).toContain('>Friday film</h1>');
    expect(html).toContain('Enter your name to join.');
    expect(labelled(html, 'Your name')).toBe(true);
    expect(html).toMatch(/<button type="submit"[^>]*>Join room<\/button>/);
  });
  it('a guest at a scheduled room sees title, description and countdown before the name form', () => {
    const now = Date.parse(room.starts_at!) - ((2 * 24 + 3) * 3600 + 4 * 60 + 5) * 1000;
    const html = render(<RoomJoin room={{ ...room, joined: false }} loggedIn={false} onJoined={noop} onEnded={noop} initialNow={now} />);
    const text = html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    const order = ['Friday film', 'Bring snacks', 'Starts in', '2 days 3 hours 4 minutes 5 seconds', 'Starts Tuesday, December 1, 2026 at 6:00 PM UTC', 'Enter your name to join.'];
    const at = order.map((s) => text.indexOf(s));
    expect(at.every((i) => i >= 0), JSON.stringify(at)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(html).toMatch(/<h2 id="([^"]+)" class="lobby-title">Starts in<\/h2><div class="countdown" role="timer" aria-labelledby="\1">/);
    expect(unnamedControls(html)).toEqual([]);
  });

  it('speaks Russian to a guest at a scheduled room', () => {
    const now = Date.parse(room.starts_at!) - 5 * 24 * 3600 * 1000;
    const html = render(<RoomJoin room={{ ...room, joined: false }} loggedIn={false} onJoined={noop} onEnded={noop} initialNow={now} />, { locale: 'ru' });
    const text = html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain('До начала');
    expect(text).toContain('5 дней 0 часов 0 минут 0 секунд');
    expect(text.indexOf('До начала')).toBeLessThan(text.indexOf('Введите имя, чтобы войти.'));
  });

  it('a logged-in visitor joins without a form', () => {
    const html = render(<RoomJoin room={{ ...room, joined: false }} loggedIn onJoined={noop} onEnded={noop} />, { user: ada });
    expect(html).toContain('Joining the room…');
    expect(html).not.toContain('<form');
  });
});

describe('lobby', () => {
  const now = Date.parse('2026-12-01T18:00:00Z') - ((2 * 24 + 3) * 3600 + 4 * 60 + 5) * 1000;

  it('counts down in days, hours, minutes and seconds, with the local start and a calendar link', () => {
    const html = render(<RoomLobby room={room} onChange={noop} refresh={noopAsync} initialNow={now} />);
    expect(html).toMatch(/<h2 id="([^"]+)" class="lobby-title">Starts in<\/h2><div class="countdown" role="timer" aria-labelledby="\1">/);
    const text = html.replace(/<[^>]+>/g, '');
    expect(text).toContain('2 days3 hours4 minutes5 seconds');
    expect(html).toContain('<time dateTime="2026-12-01T18:00:00Z">Tuesday, December 1, 2026 at 6:00 PM UTC</time></p>');
    expect(text).not.toContain('(UTC)');
    expect(html).toMatch(/<a class="btn btn-secondary" href="\/api\/v1\/rooms\/abcdefghjk\/calendar.ics" download="">.*Add to calendar<\/a>/);
    expect(html).toContain('Expected length: 95 min');
    expect(html).not.toContain('Cancel room');
  });

  it('gives the owner Edit and Cancel room', () => {
    const html = render(<RoomLobby room={{ ...room, is_owner: true }} onChange={noop} refresh={noopAsync} initialNow={now} />, { user: ada });
    expect(html).toMatch(/<div class="owner-actions" role="group" aria-label="Host tools">/);
    expect(html).toMatch(/<button[^>]*>Edit room<\/button>/);
    expect(html).toMatch(/<button[^>]*>Cancel room<\/button>/);
  });

  it('speaks Russian', () => {
    const html = render(<RoomLobby room={room} onChange={noop} refresh={noopAsync} initialNow={now} />, { locale: 'ru' });
    expect(html).toContain('До начала');
    expect(html).toContain('Добавить в календарь');
    expect(html).toContain('1 декабря 2026');
    const text = html.replace(/<[^>]+>/g, '');
    expect(text).toContain('2 дня3 часа4 минуты5 секунд');
  });

  it('says one day, not "01 days", and declines Russian words by number', () => {
    const start = Date.parse(room.starts_at!);
    const left = (d: number, h: number, m: number, s: number) => start - (((d * 24 + h) * 60 + m) * 60 + s) * 1000;
    const text = (at: number, locale: 'en' | 'ru') =>
      render(<RoomLobby room={room} onChange={noop} refresh={noopAsync} initialNow={at} />, { locale }).replace(/<[^>]+>/g, '');
    expect(text(left(1, 1, 1, 1), 'en')).toContain('1 day1 hour1 minute1 second');
    expect(text(left(1, 21, 22, 11), 'ru')).toContain('1 день21 час22 минуты11 секунд');
    expect(text(left(5, 2, 0, 3), 'ru')).toContain('5 дней2 часа0 минут3 секунды');
  });
});

describe('joined room', () => {
  it('has a header with title, status, Share and Leave; the people count only once the room is live', () => {
    const html = render(<RoomView room={room} onChange={noop} refresh={noopAsync} onSignedOut={noop} />);
    expect(html).toContain('>Friday film</h1>');
    expect(html).toContain('<span class="badge badge-scheduled">Scheduled</span>');
    expect(html).not.toContain('watching');
    expect(html).not.toContain('data-testid="room-people"');
    const live = render(<RoomView room={{ ...room, status: 'live' }} onChange={noop} refresh={noopAsync} onSignedOut={noop} />);
    expect(live).toContain('3 watching');
    const alone = render(<RoomView room={{ ...room, status: 'live', is_owner: true, participants: 0 }} onChange={noop} refresh={noopAsync} onSignedOut={noop} />, { user: ada });
    expect(alone).toContain('1 watching'); // the host, before their channel is up
    expect(html).toMatch(/<button[^>]*>.*Share<\/button>/);
    expect(html).toMatch(/<button[^>]*>Leave<\/button>/);
  });

  it('the description sits with the title in the header, in the lobby and live', () => {
    for (const status of ['scheduled', 'live'] as const) {
      const html = render(<RoomView room={{ ...room, status }} onChange={noop} refresh={noopAsync} onSignedOut={noop} />);
      const header = /<header class="room-header">(.*?)<\/header>/.exec(html)?.[1] ?? '';
      expect(header, status).toMatch(/<div class="room-header-main"><h1[^>]*>Friday film<\/h1>.*<p class="room-description">Bring snacks<\/p><\/div>/);
      expect(html.split('Bring snacks').length - 1, status).toBe(1);
    }
  });

  it('in Russian, leaving the room and logging out are two different words', () => {
    const html = render(<RoomView room={room} onChange={noop} refresh={noopAsync} onSignedOut={noop} />, { user: ada, locale: 'ru' });
    expect(html).toMatch(/<button[^>]*>Покинуть комнату<\/button>/);
    expect(html).not.toMatch(/<button[^>]*>Выйти<\/button>/);
  });

  it('live: a labelled Player region titled with the room and the video\'s progress; chat and people beside it; the owner can end it', () => {
    const media = { ...room.media, state: 'downloading' as const, percent: 45.2, eta_s: 100 };
    const html = render(<RoomView room={{ ...room, status: 'live', is_owner: true, media }} onChange={noop} refresh={noopAsync} onSignedOut={noop} />, { user: ada });
    const player = /<section class="player" aria-label="Player">(.*?)<\/section>/.exec(html)?.[1] ?? '';
    expect(player).toContain('<h2 class="player-title">Friday film</h2>');
    expect(player).toMatch(/role="progressbar" aria-label="Video preparation" aria-valuemin="0" aria-valuemax="100" aria-valuenow="45" aria-valuetext="Downloading — 45% · about 2 min left"/);
    expect(player).toContain('Step 1 of 3');
    expect(player).not.toMatch(/<input|<video/);
    expect(html).toMatch(/<div class="live-status" role="status"><\/div>/);
    expect(html).toMatch(/<h2 id="[^"]+" class="side-title">Chat<\/h2>/);
    expect(html).toMatch(/<h2 id="[^"]+" class="side-title">People <span class="people-count"><\/span><\/h2>/);
    expect(html).toMatch(/<label class="visually-hidden" for="([^"]+)">Message<\/label>.*<textarea[^>]*id="\1"/);
    expect(html).toMatch(/<button[^>]*type="submit"[^>]*>Send<\/button>/);
    expect(html).toContain('Enter sends, Shift+Enter starts a new line.');
    expect(html).toMatch(/<button[^>]*>End room<\/button>/);
    expect(html).toContain('<span class="badge badge-live"><span class="badge-dot" aria-hidden="true"></span>Live</span>');
  });

  it('live and playable: a video with the poster and Kino’s own controls (not the browser’s), no progress', () => {
    const media = { ...room.media, state: 'ready' as const, percent: 100, playable: true, hls_url: '/media/a1/master.m3u8', poster_url: '/media/a1/poster.jpg' };
    const html = render(<RoomView room={{ ...room, status: 'live', media }} onChange={noop} refresh={noopAsync} onSignedOut={noop} />);
    const player = /<section class="player" aria-label="Player">(.*?)<\/section>/.exec(html)?.[1] ?? '';
    expect(player).toMatch(/<video class="video" playsInline="" preload="auto" poster="\/media\/a1\/poster.jpg" aria-label="Video: Friday film"/);
    expect(player).not.toMatch(/<video[^>]* controls=/);
    expect(player).toMatch(/<div class="player-controls" role="group" aria-label="Player controls">/);
    expect(player).toMatch(/<button[^>]*aria-label="Play"/);
    expect(player).toContain('<h2 class="visually-hidden">Friday film</h2>');
    expect(player).not.toContain('progressbar');
  });

  it('a failed video shows the reason, and Try again for the owner only', () => {
    const media = { ...room.media, state: 'failed' as const, error: 'The source answered 404 Not Found.' };
    const owner = render(<RoomView room={{ ...room, status: 'live', is_owner: true, media }} onChange={noop} refresh={noopAsync} onSignedOut={noop} />, { user: ada });
    expect(owner).toMatch(/<div class="ingest-failed" role="alert"><p class="ingest-text">Couldn’t prepare the video<\/p><p class="ingest-error">The source answered 404 Not Found.<\/p>/);
    expect(owner).toMatch(/<button[^>]*>Try again<\/button>/);
    expect(owner).not.toContain('progressbar');
    const guest = render(<RoomView room={{ ...room, status: 'live', media }} onChange={noop} refresh={noopAsync} onSignedOut={noop} />);
    expect(guest).toContain('The source answered 404 Not Found.');
    expect(guest).toContain('The host can try again');
    expect(guest).not.toMatch(/>Try again<\/button>/);
  });

  it('a video that was never queued says so, with Try again for the owner', () => {
    const media = { state: 'none' as const, percent: 0, eta_s: null, error: null, playable: false, duration_s: null };
    const owner = render(<RoomView room={{ ...room, status: 'live', is_owner: true, media }} onChange={noop} refresh={noopAsync} onSignedOut={noop} />, { user: ada });
    expect(owner).toContain('The video was not queued');
    expect(owner).toMatch(/>Try again<\/button>/);
  });

  it('ended: says so (and that it was cancelled) with a way home', () => {
    const html = render(<RoomView room={{ ...room, status: 'ended', ended_reason: 'cancelled' }} onChange={noop} refresh={noopAsync} onSignedOut={noop} />);
    expect(html).toContain('This watch party has ended');
    expect(html).not.toContain('Loading the chat and the timeline');
    expect(html).toContain('It was cancelled before it started.');
    expect(html).toMatch(/<a class="btn btn-primary" href="\/"[^>]*>Go to the home page<\/a>/);
    expect(html).not.toContain('>Share');
    expect(html).toContain('transcript.txt'); // the lobby may have had chat
    const ended = render(<RoomView room={{ ...room, status: 'ended', ended_reason: 'owner_ended' }} onChange={noop} refresh={noopAsync} onSignedOut={noop} />);
    expect(ended).not.toContain('cancelled');
    expect(ended).toContain('Download:');
    expect(ended).toContain('Loading the chat and the timeline…');
    expect(ended).toMatch(/<a href="\/api\/v1\/rooms\/abcdefghjk\/transcript.txt" download="">the chat as text<\/a>/);
    expect(ended).toMatch(/<a href="\/api\/v1\/rooms\/abcdefghjk\/transcript.json" download="">the chat as JSON<\/a>/);
    expect(ended).toMatch(/<a href="\/api\/v1\/rooms\/abcdefghjk\/calendar.ics" download="">the calendar entry \(.ics\)<\/a>/);
  });

  it('signed out (logged out in another tab): says so, names the room, and offers to log in again and come back', () => {
    const live = { ...room, status: 'live' as const };
    const html = render(<RoomSignedOut room={live} />);
    expect(html).toMatch(/<h1 class="page-heading" tabindex="-1" data-page-heading="">You were signed out<\/h1>/);
    expect(html).toContain('so you have left “Friday film”. Log in again to come back to it.');
    expect(html).toMatch(/<a class="btn btn-primary" href="\/login\?next=%2Fr%2Fabcdefghjk"[^>]*>Log in again<\/a>/);
    expect(html).toMatch(/<a class="btn btn-secondary" href="\/"[^>]*>Go to the home page<\/a>/);
    expect(html).not.toContain('<textarea');
    const ru = render(<RoomSignedOut room={live} />, { locale: 'ru' });
    expect(ru).toContain('>Вы вышли из аккаунта</h1>');
    expect(ru).toContain('покинули комнату «Friday film»');
    expect(ru).toMatch(/href="\/login\?next=%2Fr%2Fabcdefghjk"[^>]*>Войти снова<\/a>/);
    expect(unnamedControls(html)).toEqual([]);
  });

  it('an unknown room gets the 404 page with a room sentence', () => {
    const html = render(<NotFoundPage title="Room not found" body="There is no room at this link." />);
    expect(html).toContain('>Room not found</h1>');
    expect(html).toContain('There is no room at this link.');
  });
});

describe('home lists', () => {
  const section = (state: Parameters<typeof RoomListSection>[0]['state'], status: 'live' | 'scheduled' = 'live') =>
    render(
      <RoomListSection status={status} title="Live now" emptyIcon={null} emptyTitle="Nobody" emptyBody="Be first" state={state} onRetry={noop} />,
    );

  it('live cards: title link, LIVE badge, people watching, host', () => {
    const html = section({ rooms: [{ ...room, status: 'live', joined: false }], error: null });
    expect(html).toMatch(/<ul class="room-list" aria-labelledby="[^"]+"><li class="room-card">/);
    expect(html).toMatch(/<h3 class="room-card-title"><a class="room-card-link" href="\/r\/abcdefghjk"[^>]*>Friday film<\/a><\/h3>/);
    expect(html).toContain('>Live</span>');
    expect(html).toContain('3 watching');
    expect(html).toContain('Hosted by Ada');
  });

  it('upcoming cards: local start time and a calendar link named after the room', () => {
    const html = section({ rooms: [room], error: null }, 'scheduled');
    expect(html).toMatch(/<time class="room-card-time" dateTime="2026-12-01T18:00:00Z">Tue, Dec 1, 6:00 PM<\/time>/);
    expect(html).toContain('href="/api/v1/rooms/abcdefghjk/calendar.ics" download="">Add to calendar<span class="visually-hidden">: Friday film</span></a>');
  });

  it('empty, failed and stale states', () => {
    expect(section({ rooms: [], error: null })).toContain('Nobody');
    const failed = section({ rooms: null, error: { key: 'error.network' } });
    expect(failed).toContain('Couldn’t load the live rooms. Check your connection and try again');
    expect(failed).toMatch(/<button[^>]*>Try again<\/button>/);
    expect(section({ rooms: [room], error: { key: 'error.network' } })).toContain('this list may be out of date');
  });
});
