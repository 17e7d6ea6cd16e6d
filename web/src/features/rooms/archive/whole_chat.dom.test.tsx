// @vitest-environment jsdom
// The archive of a busy room (10,000 messages) in a live DOM: the whole chat is readable from its
// first message to its last, each with its time, while only a window of it is ever in the DOM; the
// replay beside the film stays bounded too.
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ServicesProvider } from '../../../app/services';
import { parseArchive, parseTranscript } from '../../../core/rooms_api';
import { testServices } from '../../../test/render';
import { ArchiveView } from './ArchiveView';
import { REPLAY_CAP } from './ArchiveChat';
import { TRANSCRIPT_WINDOW } from './use_transcript_window';
import { endedRoomJson } from '../../../test/archive_fixtures';

const COUNT = 10_000;
const T0 = Date.UTC(2026, 11, 1, 18);
const iso = (ms: number) => new Date(T0 + ms).toISOString();
const room = endedRoomJson({ title: 'Busy night', media: { state: 'ready', playable: true, duration_s: 7200, hls_url: '/media/f/master.m3u8' } });
// The film plays from 0:00 for two hours; a message every 0.7 s.
const archive = parseArchive({
  room,
  people: [],
  timeline: [{ seq: 1, action: 'play', by: { id: 'u1', name: 'Ann' }, at: iso(0), position_s: 0, playing: true, rate: 1, volume: 1, muted: false }],
});
const transcript = parseTranscript({
  room,
  messages: Array.from({ length: COUNT }, (_, i) => ({
    id: `m${i + 1}`,
    client_id: `c${i + 1}`,
    seq: i + 1,
    author: { id: `u${(i % 5) + 1}`, name: `Person ${(i % 5) + 1}` },
    text: `message ${i + 1}`,
    sent_at: iso(i * 700),
  })),
});

beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
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

const buttonNamed = (name: string) => [...host.querySelectorAll('button')].find((b) => (b.getAttribute('aria-label') ?? b.textContent) === name);
const click = (name: string) => act(() => buttonNamed(name)!.click());
const rows = () => [...host.querySelectorAll<HTMLLIElement>('[data-testid="archive-whole"] li')];
const text = (li: HTMLLIElement | undefined) => li?.querySelector('.archive-text')?.textContent;
const range = () => host.querySelector('[data-testid="archive-whole-range"]')?.textContent;

describe('the whole chat of a room with 10,000 messages', () => {
  it('starts at message 1 with its time, and holds only a window of the chat in the DOM', () => {
    click('Whole chat');
    const first = rows()[0];
    expect(text(first)).toBe('message 1');
    expect(first?.querySelector('time')?.getAttribute('datetime')).toBe(iso(0));
    expect(first?.getAttribute('aria-posinset')).toBe('1');
    expect(first?.getAttribute('aria-setsize')).toBe(String(COUNT));
    expect(rows().length).toBeLessThanOrEqual(TRANSCRIPT_WINDOW.max);
    expect(host.querySelectorAll('li').length).toBeLessThan(COUNT / 10);
    expect(range()).toBe(`Messages 1–${TRANSCRIPT_WINDOW.max} of 10,000`);
    expect(buttonNamed('Earlier messages')?.getAttribute('aria-disabled')).toBe('true');
    const log = host.querySelector('[role="region"][aria-label="Messages"]');
    expect(log?.getAttribute('tabindex')).toBe('0');
  });

  it('reaches the last message at once, and the first again', () => {
    click('Whole chat');
    click('Last messages');
    const last = rows().at(-1);
    expect(text(last)).toBe(`message ${COUNT}`);
    expect(last?.querySelector('time')?.getAttribute('datetime')).toBe(iso((COUNT - 1) * 700));
    expect(last?.getAttribute('aria-posinset')).toBe(String(COUNT));
    expect(rows().length).toBeLessThanOrEqual(TRANSCRIPT_WINDOW.max);
    expect(buttonNamed('Later messages')?.getAttribute('aria-disabled')).toBe('true');
    click('First messages');
    expect(text(rows()[0])).toBe('message 1');
  });

  it('moves a page at a time from either end without skipping a message', { timeout: 20_000 }, () => {
    click('Whole chat');
    const positions = () => rows().map((li) => Number(li.getAttribute('aria-posinset')));
    const texts = () => rows().map(text);
    // Each step keeps the window contiguous and reveals the next page below (above).
    for (let step = 0; step < 10; step++) {
      const before = positions();
      click('Later messages');
      const after = positions();
      expect(after.every((p, i) => i === 0 || p === after[i - 1]! + 1)).toBe(true);
      expect(after.at(-1)).toBe(before.at(-1)! + TRANSCRIPT_WINDOW.page);
      expect(after[0]).toBeLessThanOrEqual(before.at(-1)! + 1);
      expect(texts().every((t, i) => t === `message ${after[i]}`)).toBe(true);
      expect(rows().length).toBeLessThanOrEqual(TRANSCRIPT_WINDOW.max);
    }
    click('Last messages');
    for (let step = 0; step < 10; step++) {
      const before = positions();
      click('Earlier messages');
      const after = positions();
      expect(after.every((p, i) => i === 0 || p === after[i - 1]! + 1)).toBe(true);
      expect(after[0]).toBe(before[0]! - TRANSCRIPT_WINDOW.page);
      expect(after.at(-1)).toBeGreaterThanOrEqual(before[0]! - 1);
      expect(rows().length).toBeLessThanOrEqual(TRANSCRIPT_WINDOW.max);
    }
  });

  it('replays only the latest messages reached beside the film', () => {
    const v = host.querySelector<HTMLVideoElement>('[data-testid="archive-video"]')!;
    Object.defineProperty(v, 'currentTime', { value: 7200, writable: true, configurable: true });
    act(() => {
      v.dispatchEvent(new Event('timeupdate'));
    });
    const replay = [...host.querySelectorAll('[data-testid="archive-replay"] li')];
    expect(replay.length).toBe(REPLAY_CAP);
    expect(replay.at(-1)?.querySelector('.archive-text')?.textContent).toBe(`message ${COUNT}`);
    expect(host.textContent).toContain(`${COUNT - REPLAY_CAP} earlier messages not shown.`);
  });
});
