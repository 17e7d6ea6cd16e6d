// @vitest-environment jsdom
// The chat log in a live DOM with a long history: only a window of it is rendered (a busy room's
// thousands of messages must not all become elements), and scrolling back by "Load earlier" still
// reaches every message, then asks the server.
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ServicesProvider } from '../../../app/services';
import { CHAT_WINDOW } from '../../../core/chat_window';
import type { ChatMessage, RoomSocketState, TimelineEntry } from '../../../core/room_socket';
import { testServices } from '../../../test/render';
import { ChatLog } from './ChatLog';

const HELD = 5000;

const entry = (seq: number): TimelineEntry => {
  const message: ChatMessage = {
    id: String(seq),
    client_id: `c${seq}`,
    seq,
    author: { id: `u${seq % 7}`, name: `Person ${seq % 7}` },
    text: `message ${seq}`,
    sent_at: new Date(Date.UTC(2026, 4, 1, 18) + seq * 100).toISOString(),
  };
  return { kind: 'message', key: `m${seq}`, seq, message };
};

const state = (timeline: TimelineEntry[], hasMore = true): RoomSocketState => ({
  status: 'open',
  ready: true,
  memberId: 'u1',
  room: null,
  ending: null,
  members: [],
  participantId: 'p1',
  participants: [],
  timeline,
  pending: [],
  older: { hasMore, loading: false, error: null },
  lastSeq: timeline.length,
});

beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});

let host: HTMLDivElement;
let root: Root;
const onLoadOlder = vi.fn();
const services = testServices();

function show(s: RoomSocketState) {
  act(() => {
    root.render(
      <ServicesProvider services={services}>
        <ChatLog state={s} visible onLoadOlder={onLoadOlder} onRetry={() => {}} onEdit={() => {}} />
      </ServicesProvider>,
    );
  });
}

const texts = () => [...host.querySelectorAll('.chat-list .chat-text')].map((p) => p.textContent);
const button = (name: string) => [...host.querySelectorAll('button')].find((b) => b.textContent?.includes(name));
const click = (name: string) => act(() => button(name)!.click());

beforeEach(() => {
  host = document.createElement('div');
  document.body.append(host);
  root = createRoot(host);
  onLoadOlder.mockReset();
});
afterEach(() => {
  act(() => root.unmount());
  host.remove();
});

// Renders thousands of rows in jsdom: seconds of CPU on a busy 2-core machine, so a longer timeout.
describe('chat log with a long history', { timeout: 30_000 }, () => {
  const history = Array.from({ length: HELD }, (_, i) => entry(i + 1));

  it('renders only the newest messages while the store holds 5,000, and stays a log', () => {
    show(state(history));
    expect(host.querySelectorAll('.chat-list li')).toHaveLength(CHAT_WINDOW.follow);
    expect(texts().at(-1)).toBe(`message ${HELD}`);
    expect(texts()[0]).toBe(`message ${HELD - CHAT_WINDOW.follow + 1}`);
    expect(host.querySelector('[role="region"][aria-label="Messages"] ol.chat-list')).not.toBeNull();
  });

  it('keeps the window as new messages arrive for a reader at the bottom', () => {
    show(state(history));
    const more = [...history];
    for (let seq = HELD + 1; seq <= HELD + 500; seq += 1) {
      more.push(entry(seq));
      show(state([...more]));
    }
    expect(host.querySelectorAll('.chat-list li')).toHaveLength(CHAT_WINDOW.follow);
    expect(texts().at(-1)).toBe(`message ${HELD + 500}`);
  });

  it('scrolling back shows older messages page by page, never more than the cap, then asks the server', () => {
    show(state(history));
    click('Load earlier messages');
    expect(texts()[0]).toBe(`message ${HELD - CHAT_WINDOW.follow - CHAT_WINDOW.page + 1}`);
    expect(host.querySelectorAll('.chat-list li')).toHaveLength(CHAT_WINDOW.follow + CHAT_WINDOW.page);
    let clicks = 1;
    while (texts()[0] !== 'message 1') {
      click('Load earlier messages');
      clicks += 1;
      expect(host.querySelectorAll('.chat-list li').length).toBeLessThanOrEqual(CHAT_WINDOW.max);
      expect(clicks).toBeLessThan(HELD);
    }
    expect(onLoadOlder).not.toHaveBeenCalled();
    // The newest are no longer rendered: the reader is offered the way back.
    expect(texts()).not.toContain(`message ${HELD}`);
    expect(button('Jump to new messages')).toBeDefined();
    // At the first message held, the server is asked for older ones.
    click('Load earlier messages');
    expect(onLoadOlder).toHaveBeenCalledTimes(1);
    // Older ones it sends show up above at once.
    show(state([...Array.from({ length: 50 }, (_, i) => entry(i - 49)), ...history], false));
    expect(texts()[0]).toBe('message -49');
    expect(host.querySelector('.chat-start')?.textContent).toBe('This is the start of the chat.');

    click('Jump to new messages');
    expect(host.querySelectorAll('.chat-list li')).toHaveLength(CHAT_WINDOW.follow);
    expect(texts().at(-1)).toBe(`message ${HELD}`);
  });

  /** Gives the log a fake layout: `height` of content, 290 px on screen, scrolled to `top` (then a scroll event). */
  function layout(height: () => number) {
    const el = host.querySelector<HTMLElement>('.chat-log')!;
    let top = 0;
    Object.defineProperty(el, 'scrollHeight', { configurable: true, get: height });
    Object.defineProperty(el, 'clientHeight', { configurable: true, get: () => 290 });
    Object.defineProperty(el, 'scrollTop', { configurable: true, get: () => top, set: (v: number) => (top = Math.max(0, Math.min(v, height() - 290))) });
    return (to: number) => act(() => {
      el.scrollTop = to;
      el.dispatchEvent(new Event('scroll'));
    });
  }
  const height = () => host.querySelectorAll('.chat-list li').length * 60;

  it('a short log near its top keeps following the newest (regression: it stopped at the first 300)', () => {
    const held = history.slice(0, 6);
    show(state(held, false));
    const scrollTo = layout(height);
    scrollTo(10_000); // the bottom, and within the top zone
    for (let seq = 7; seq <= 700; seq += 1) {
      held.push(entry(seq));
      show(state([...held], false));
    }
    expect(texts().at(-1)).toBe('message 700');
    expect(host.querySelectorAll('.chat-list li')).toHaveLength(CHAT_WINDOW.follow);
    expect(button('Jump to new messages')).toBeUndefined();
  });

  it('a reader who scrolled up keeps their place; new messages wait below, at most up to the cap', () => {
    const held = history.slice(0, 1000);
    show(state(held));
    const scrollTo = layout(height);
    scrollTo(2000); // up from the bottom (100 items × 60 px), below the top zone
    const firstShown = texts()[0];
    for (let seq = 1001; seq <= 1500; seq += 1) {
      held.push(entry(seq));
      show(state([...held]));
    }
    expect(texts()[0]).toBe(firstShown);
    expect(host.querySelectorAll('.chat-list li')).toHaveLength(CHAT_WINDOW.max);
    expect(button('Jump to new messages')).toBeDefined();
    click('Jump to new messages');
    expect(texts().at(-1)).toBe('message 1500');
    expect(host.querySelectorAll('.chat-list li')).toHaveLength(CHAT_WINDOW.follow);
  });
});
