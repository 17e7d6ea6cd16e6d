// @vitest-environment jsdom
// The archive of an ended room in a live DOM: as the film's currentTime moves, the chat beside it
// shows exactly the messages written at or before that point of the film, and a message's jump
// button seeks the film to it.
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ServicesProvider } from '../../../app/services';
import { ApiError } from '../../../core/api';
import { parseArchive, parseTranscript, type RoomArchive, type Transcript } from '../../../core/rooms_api';
import { formatShortDateTime, formatTime } from '../../../core/time';
import { testServices } from '../../../test/render';
import { ArchiveView, RoomArchiveSection } from './ArchiveView';
import { endedRoomJson } from '../../../test/archive_fixtures';

const T0 = Date.UTC(2026, 11, 1, 18);
const DAY = 24 * 3600 * 1000;
const iso = (ms: number) => new Date(T0 + ms).toISOString();
const room = endedRoomJson();
const act_ = (seq: number, at: number, action: string, position_s: number, playing: boolean, by: string | null, extra = {}) => ({
  seq,
  action,
  by: by ? { id: by, name: by === 'u1' ? 'Ann' : 'Gus' } : null,
  at: iso(at),
  position_s,
  playing,
  rate: 1,
  volume: 1,
  muted: false,
  ...extra,
});
// Ann plays from 0:00; Gus pauses at 0:03; Ann seeks to 0:10 (paused) and sets the volume to 40 %.
const archive: RoomArchive = parseArchive({
  room,
  // Ann hosts (the server knows no visit of hers here); Gus joined, left, and came back until the
  // next day.
  people: [
    {
      id: 'u2',
      name: 'Gus',
      joined_at: iso(-30_000),
      visits: [
        { joined_at: iso(15_000), left_at: iso(DAY) },
        { joined_at: iso(-30_000), left_at: iso(5_000) },
      ],
    },
  ],
  timeline: [
    act_(1, 0, 'play', 0, true, 'u1'),
    act_(2, 3000, 'pause', 3, false, 'u2'),
    act_(3, 20_000, 'seek', 10, false, 'u1'),
    act_(4, 21_000, 'volume', 10, false, 'u1', { volume: 0.4 }),
  ],
});
const msg = (seq: number, at: number, text: string, who = 'u1') => ({
  id: `m${seq}`,
  client_id: `c${seq}`,
  seq,
  author: { id: who, name: who === 'u1' ? 'Ann' : 'Gus' },
  text,
  sent_at: iso(at),
});
// Film positions: 1 s, 3 s (paused there), 10 s (after the seek); written in a different order.
const transcript: Transcript = parseTranscript({
  room,
  messages: [msg(1, 1000, 'one second in'), msg(2, 8000, 'at three seconds', 'u2'), msg(3, 25_000, 'at ten'), msg(4, 9000, '<img src=x onerror=alert(1)>')],
});

beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
  process.env.TZ = 'UTC';
});

let host: HTMLDivElement;
let root: Root;

beforeEach(() => {
  host = document.createElement('div');
  document.body.append(host);
  root = createRoot(host);
  act(() => {
    root.render(
      <ServicesProvider services={testServices()}>
        <ArchiveView room={archive.room} archive={archive} transcript={transcript} />
      </ServicesProvider>,
    );
  });
});

afterEach(() => {
  act(() => root.unmount());
  host.remove();
});

function video(): HTMLVideoElement {
  const v = host.querySelector<HTMLVideoElement>('[data-testid="archive-video"]');
  if (!v) throw new Error('no video');
  return v;
}

/** The film stands at `s`, as the browser reports it. */
function filmAt(s: number) {
  const v = video();
  Object.defineProperty(v, 'currentTime', { value: s, writable: true, configurable: true });
  act(() => {
    v.dispatchEvent(new Event('timeupdate'));
  });
}

const replayTexts = () => [...host.querySelectorAll('[data-testid="archive-replay"] .archive-text')].map((e) => e.textContent);
const buttonNamed = (name: string) => [...host.querySelectorAll('button')].find((b) => (b.getAttribute('aria-label') ?? b.textContent) === name);

describe('the archive view', () => {
  it('shows the messages up to the film position, in film order', () => {
    filmAt(0.5);
    expect(replayTexts()).toEqual([]);
    expect(host.textContent).toContain('No messages before this point of the film.');
    filmAt(2);
    expect(replayTexts()).toEqual(['one second in']);
    filmAt(4);
    expect(replayTexts()).toEqual(['one second in', 'at three seconds', '<img src=x onerror=alert(1)>']);
    filmAt(12);
    expect(replayTexts()).toHaveLength(4);
    filmAt(2);
    expect(replayTexts()).toEqual(['one second in']);
  });

  it('renders message text as text, never HTML', () => {
    filmAt(4);
    expect(host.querySelector('.archive-text img')).toBeNull();
  });

  it("jumps the film to a message's moment from a button named with its time", () => {
    filmAt(30);
    const jump = buttonNamed('Jump to 0:03: message from Gus');
    expect(jump?.textContent).toBe('0:03');
    act(() => jump!.click());
    expect(video().currentTime).toBe(3);
  });

  it('lists the whole chat by seq with wall times, and who came and what they did', () => {
    act(() => buttonNamed('Whole chat')!.click());
    expect(buttonNamed('Whole chat')?.getAttribute('aria-pressed')).toBe('true');
    const whole = [...host.querySelectorAll('[data-testid="archive-whole"] li')];
    expect(whole.map((li) => li.querySelector('.archive-text')?.textContent)).toEqual(['one second in', 'at three seconds', 'at ten', '<img src=x onerror=alert(1)>']);
    expect(whole[0]?.querySelector('time')?.getAttribute('datetime')).toBe(iso(1000));
    expect([...host.querySelectorAll('[data-testid="archive-people"] .archive-person')].map((e) => e.textContent)).toEqual(['Gus', 'Ann']);
    const timeline = [...host.querySelectorAll('[data-testid="archive-timeline"] li')].map((li) => li.textContent);
    expect(timeline[0]).toContain('Ann played at 0:00');
    expect(timeline[1]).toContain('Gus paused at 0:03');
    expect(timeline[2]).toContain('Ann seeked to 0:10');
    expect(timeline[3]).toContain('Ann set the volume to 40%');
  });
});

describe('who was there', () => {
  it('lists each person with their joins and leaves in local time, oldest first, as text', () => {
    const people = [...host.querySelectorAll('[data-testid="archive-people"] > li')];
    expect(people).toHaveLength(2);
    const gus = people[0]!.querySelector('ul');
    expect(gus?.getAttribute('aria-label')).toBe('When Gus was there');
    expect([...gus!.querySelectorAll('li')].map((li) => li.textContent)).toEqual([
      `joined ${formatTime(iso(-30_000), 'en')}, left ${formatTime(iso(5_000), 'en')}`,
      `joined ${formatTime(iso(15_000), 'en')}, left ${formatShortDateTime(iso(DAY), 'en')}`,
    ]);
    expect(gus!.querySelector('li')?.textContent).toMatch(/^joined 5:59\sPM, left 6:00\sPM$/);
    expect(people[1]!.querySelector('ul')).toBeNull();
  });

  it('says when someone is still in the room, in Russian too', () => {
    const live = parseArchive({
      room: { ...room, status: 'live' },
      people: [{ id: 'u2', name: 'Gus', joined_at: iso(0), visits: [{ joined_at: iso(0), left_at: null }] }],
      timeline: [],
    });
    for (const [locale, text] of [
      ['en', `joined ${formatTime(iso(0), 'en')}, still in the room`],
      ['ru', `вход ${formatTime(iso(0), 'ru')}, ещё в комнате`],
    ] as const) {
      act(() => {
        root.render(
          <ServicesProvider services={testServices({ locale })}>
            <ArchiveView room={live.room} archive={live} transcript={{ room: live.room, messages: [] }} />
          </ServicesProvider>,
        );
      });
      expect(host.querySelector('.archive-visit')?.textContent).toBe(text);
    }
  });
});

describe('the archive section', () => {
  it('says what failed and what to do when the archive cannot be fetched, and can try again', async () => {
    act(() => {
      root.render(
        <ServicesProvider services={testServices()}>
          <RoomArchiveSection room={archive.room} />
        </ServicesProvider>,
      );
    });
    expect(host.textContent).toContain('Loading the chat and the timeline…');
    await act(async () => {});
    const alert = host.querySelector('[role="alert"]');
    expect(alert?.textContent).toContain('Check your connection and reload the page.');
    expect(buttonNamed('Try again')).toBeDefined();
  });

  it('after a server error, "Try again" fetches again and shows the archive', async () => {
    const services = testServices();
    let calls = 0;
    services.rooms = {
      ...services.rooms,
      archive: () => (++calls === 1 ? Promise.reject(new ApiError({ status: 503, code: 'unavailable', message: 'down' })) : Promise.resolve(archive)),
      transcript: () => Promise.resolve(transcript),
    };
    await act(async () => {
      root.render(
        <ServicesProvider services={services}>
          <RoomArchiveSection room={archive.room} />
        </ServicesProvider>,
      );
    });
    expect(host.querySelector('[role="alert"]')?.textContent).toContain('reload the page');
    await act(async () => buttonNamed('Try again')!.click());
    expect(calls).toBe(2);
    expect(host.querySelector('.archive-failed')).toBeNull();
    expect(host.querySelector('[data-testid="archive-timeline"]')).not.toBeNull();
  });
});
