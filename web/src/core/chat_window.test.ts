import { describe, expect, it } from 'vitest';
import { LATEST, OLDEST, chatWindow, earlier, later, pinned, type ChatWindowLimits, type WindowStart } from './chat_window';

const limits: ChatWindowLimits = { follow: 100, page: 50, max: 300 };
const entries = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ key: `m${from + i}` }));
const key = (k: string): WindowStart => ({ at: 'key', key: k });

describe('chat window', () => {
  it('follows the newest entries, at most `follow` of them', () => {
    expect(chatWindow(entries(5000), LATEST, limits)).toEqual({ start: 4900, end: 5000 });
    expect(chatWindow(entries(30), LATEST, limits)).toEqual({ start: 0, end: 30 });
    expect(chatWindow([], LATEST, limits)).toEqual({ start: 0, end: 0 });
  });

  it('pins where the reader is: new entries below grow the window up to `max`, no further', () => {
    const held = entries(5000);
    const at = pinned(held, LATEST, limits);
    expect(at).toEqual(key('m4900'));
    expect(chatWindow(entries(5150), at, limits)).toEqual({ start: 4900, end: 5150 });
    expect(chatWindow(entries(9000), at, limits)).toEqual({ start: 4900, end: 5200 });
    expect(pinned(held, at, limits)).toBe(at);
    expect(pinned(entries(30), LATEST, limits)).toBe(OLDEST);
  });

  it('scrolling back reveals a page at a time down to the first entry held, then asks for older', () => {
    const held = entries(5000);
    let at: WindowStart | null = LATEST;
    const starts: number[] = [];
    for (let i = 0; i < 200 && at; i += 1) {
      starts.push(chatWindow(held, at, limits).start);
      at = earlier(held, at, limits);
    }
    expect(at).toBeNull();
    expect(starts.slice(0, 3)).toEqual([4900, 4850, 4800]);
    expect(starts.at(-1)).toBe(0);
    // Never more than `max` rendered on the way.
    expect(chatWindow(held, key('m4800'), limits)).toEqual({ start: 4800, end: 5000 });
    expect(chatWindow(held, key('m2000'), limits)).toEqual({ start: 2000, end: 2300 });
  });

  it('from the oldest held, older entries loaded from the server show up at once', () => {
    const before = entries(120, 1000);
    expect(chatWindow(before, OLDEST, limits)).toEqual({ start: 0, end: 120 });
    const after = [...entries(50, 950), ...before];
    expect(chatWindow(after, OLDEST, limits)).toEqual({ start: 0, end: 170 });
  });

  it('scrolling forward moves a page at a time and ends with the newest entry rendered', () => {
    const held = entries(1000);
    let at: WindowStart | null = OLDEST;
    const windows: { start: number; end: number }[] = [];
    while (at) {
      windows.push(chatWindow(held, at, limits));
      at = later(held, at, limits);
    }
    expect(windows[0]).toEqual({ start: 0, end: 300 });
    expect(windows[1]).toEqual({ start: 50, end: 350 });
    expect(windows.at(-1)).toEqual({ start: 700, end: 1000 });
    expect(windows.every((w) => w.end - w.start <= 300)).toBe(true);
  });

  it('an entry no longer held falls back to the newest', () => {
    expect(chatWindow(entries(500), key('gone'), limits)).toEqual({ start: 400, end: 500 });
  });
});
