// Server-side renders of the chat and people panels (no DOM): text-only messages, pending and failed
// states, the people list, and the phone tabs.
import type { ReactNode } from 'react';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Locale } from '../../../core/i18n';
import type { ChatMessage, RoomSocketState } from '../../../core/room_socket';
import type { Room } from '../../../core/rooms_api';
import { renderWithServices } from '../../../test/render';
import { ChatComposer } from './ChatComposer';
import { ChatLog } from './ChatLog';
import { PeopleList } from './PeopleList';
import { RoomPanels } from './RoomPanels';

beforeAll(() => {
  process.env.TZ = 'UTC';
});

const noop = () => {};
const render = (node: ReactNode, locale: Locale = 'en') => renderWithServices(node, { locale });

const room = {
  slug: 'abcdefghjk',
  title: 'Friday film',
  owner: { id: '7', username: 'ada', display_name: 'Ada' },
} as Room;

const msg = (seq: number, text: string, author = { id: 'u8', name: 'Bo' }, sent_at = '2026-05-01T18:05:00Z'): ChatMessage => ({
  id: String(seq),
  client_id: `c${seq}`,
  seq,
  author,
  text,
  sent_at,
});

const base: RoomSocketState = {
  status: 'open',
  ready: true,
  memberId: 'u7',
  room: null,
  ending: null,
  members: [],
  participantId: 'p7',
  participants: [],
  timeline: [],
  pending: [],
  older: { hasMore: false, loading: false, error: null },
  lastSeq: 10,
};

const XSS = [
  '<img src=x onerror=window.__xss=1>',
  '<script>window.__xss=1</script>',
  'javascript:window.__xss=1',
  '<a href="javascript:alert(1)">x</a>',
  '"><svg onload=window.__xss=1>',
];

const log = (state: RoomSocketState, locale: Locale = 'en') =>
  render(<ChatLog state={state} visible onLoadOlder={noop} onRetry={noop} onEdit={noop} />, locale);

describe('chat log', () => {
  it('renders message text as text: markup is escaped, never elements', () => {
    const html = log({ ...base, timeline: XSS.map((t, i) => ({ kind: 'message', key: `m${i}`, seq: i + 1, message: msg(i + 1, t) })) });
    expect(html).not.toMatch(/<(img|script|svg)\b/);
    expect(html).not.toContain('href="javascript');
    expect(html).toContain('&lt;img src=x onerror=window.__xss=1&gt;');
    expect(html).toContain('&lt;script&gt;window.__xss=1&lt;/script&gt;');
    expect(html).toContain('&lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;');
  });

  it('links http(s) URLs safely', () => {
    const html = log({ ...base, timeline: [{ kind: 'message', key: 'm1', seq: 1, message: msg(1, 'trailer: https://example.com/t?a=1&b=2.') }] });
    expect(html).toContain('<a href="https://example.com/t?a=1&amp;b=2" rel="noopener noreferrer nofollow" target="_blank">https://example.com/t?a=1&amp;b=2</a><span>.</span>');
  });

  it('links a bare www. address like an https link, and leaves www.<script> as escaped text', () => {
    const html = log({ ...base, timeline: [
      { kind: 'message', key: 'm1', seq: 1, message: msg(1, 'see www.example.org.') },
      { kind: 'message', key: 'm2', seq: 2, message: msg(2, 'www.<script>window.__xss=1</script>') },
    ] });
    expect(html).toContain('<span>see </span><a href="https://www.example.org/" rel="noopener noreferrer nofollow" target="_blank">www.example.org</a><span>.</span>');
    expect(html).toContain('<span>www.&lt;script&gt;window.__xss=1&lt;/script&gt;</span>');
    expect(html).not.toMatch(/<script\b/);
  });

  it('shows author and local time once per run of messages, and quiet join/leave lines', () => {
    const timeline: RoomSocketState['timeline'] = [
      { kind: 'joined', key: 'e1', seq: 1, memberId: 'u8', name: 'Bo' },
      { kind: 'message', key: 'm2', seq: 2, message: msg(2, 'hi') },
      { kind: 'message', key: 'm3', seq: 3, message: msg(3, 'again', undefined, '2026-05-01T18:06:00Z') },
      { kind: 'message', key: 'm4', seq: 4, message: msg(4, 'mine', { id: 'u7', name: 'Ada' }) },
      { kind: 'left', key: 'e5', seq: 5, memberId: 'u8', name: 'Bo' },
    ];
    const html = log({ ...base, timeline });
    expect(html).toContain('<li class="chat-event">Bo joined</li>');
    expect(html).toContain('<li class="chat-event">Bo left</li>');
    expect(html).toMatch(/<li class="chat-msg chat-msg-first"><p class="chat-meta"><span class="chat-author">Bo<\/span><time class="chat-time" dateTime="2026-05-01T18:05:00Z" title="[^"]+">6:05 PM<\/time><\/p><p class="chat-text"><span>hi<\/span><\/p><\/li>/);
    expect(html).toContain('<li class="chat-msg"><span class="visually-hidden">Bo, 6:06 PM: </span><p class="chat-text"><span>again</span></p></li>');
    expect(html).toMatch(/<li class="chat-msg chat-msg-first chat-msg-mine">/);
    expect(html).toContain('This is the start of the chat.');
  });

  it('offers older messages while there are some, and says when there are none at all', () => {
    const more = log({ ...base, timeline: [{ kind: 'message', key: 'm9', seq: 9, message: msg(9, 'x') }], older: { hasMore: true, loading: false, error: null } });
    expect(more).toMatch(/<button[^>]*>Load earlier messages<\/button>/);
    expect(more).not.toContain('This is the start of the chat.');
    expect(log(base)).toContain('No messages yet. Say hello!');
  });

  it('dims pending messages and gives failed ones the reason, Retry and Edit', () => {
    const html = log({
      ...base,
      pending: [
        { id: 'c-1', text: 'on its way', state: 'sending', error: null },
        { id: 'c-2', text: 'too fast', state: 'failed', error: { code: 'rate_limited', message: 'Wait 4 s.', retryAfterS: 4 } },
        { id: 'c-3', text: 'x'.repeat(5), state: 'failed', error: { code: 'message_too_long', message: 'too long' } },
      ],
    });
    expect(html).toContain('chat-pending chat-pending-sending');
    expect(html).toContain('Sending…');
    expect(html).toContain('You’re sending messages too fast. Wait 4 s, then retry.');
    expect(html).toContain('It is longer than 2000 characters: edit it to shorten it, then send it again.');
    expect(html.match(/>Retry<\/button>/g)).toHaveLength(1); // the too-long one can only be edited
    expect(html.match(/>Edit<\/button>/g)).toHaveLength(2);
  });

  it('speaks Russian', () => {
    const html = log({ ...base, timeline: [{ kind: 'joined', key: 'e1', seq: 1, memberId: 'u8', name: 'Бо' }] }, 'ru');
    expect(html).toContain('Бо заходит в комнату');
  });
});

describe('composer', () => {
  const composer = (draft: string, alert: string | null = null) =>
    render(<ChatComposer draft={draft} onDraft={noop} onSend={() => true} alert={alert} inputRef={{ current: null }} />);

  it('counts down near the limit and explains what to do past it', () => {
    expect(composer('x'.repeat(1700))).not.toContain('characters left');
    const near = composer('x'.repeat(1900));
    expect(near).toMatch(/<p class="chat-counter" id="([^"]+)-count">100 characters left<\/p>/);
    expect(near).toMatch(/aria-describedby="[^"]+-hint [^"]+-count"/);
    const over = composer('x'.repeat(2005));
    expect(over).toContain('<p class="chat-counter chat-counter-over"');
    expect(over).toContain('Messages can be at most 2000 characters: shorten this one by 5.');
    expect(over).toContain('aria-invalid="true"');
  });

  it('shows a refusal in its alert region', () => {
    expect(composer('', 'Your message wasn’t sent. Wait 3 s.')).toContain('<div class="chat-alert" role="alert"><p class="chat-alert-text">Your message wasn’t sent. Wait 3 s.</p></div>');
  });
});

describe('people', () => {
  it('lists who is here, with the count, the host, guests and you', () => {
    const members = [
      { id: 'u7', name: 'Ada', user_id: '7', guest: false, connections: 2 },
      { id: 'g1', name: 'Bo', user_id: null, guest: true, connections: 1 },
    ];
    const html = render(<PeopleList room={room} members={members} memberId="g1" ready headingId="p" />);
    expect(html).toContain('<h2 id="p" class="side-title">People <span class="people-count">2</span></h2>');
    expect(html).toContain('<span class="person-name">Ada</span><span class="tag tag-host">Host</span>');
    expect(html).toContain('<span class="person-name">Bo</span><span class="person-you">(you)</span><span class="tag">Guest</span>');
    expect(html).not.toContain('person-media');
  });

  it('shows who sends a camera or microphone (any of their tabs)', () => {
    const members = [
      { id: 'u7', name: 'Ada', user_id: '7', guest: false, connections: 2 },
      { id: 'g1', name: 'Bo', user_id: null, guest: true, connections: 1 },
    ];
    const participants = [
      { id: 'p1', member_id: 'u7', name: 'Ada', mic: false, camera: true },
      { id: 'p2', member_id: 'u7', name: 'Ada', mic: true, camera: false },
      { id: 'p3', member_id: 'g1', name: 'Bo', mic: false, camera: false },
    ];
    const html = render(<PeopleList room={room} members={members} memberId="g1" ready headingId="p" participants={participants} />);
    const ada = html.slice(html.indexOf('>Ada<'), html.indexOf('>Bo<'));
    expect(ada).toContain('aria-label="Camera on"');
    expect(ada).toContain('aria-label="Microphone on"');
    expect(html.slice(html.indexOf('>Bo<'))).not.toContain('person-media');
  });
});

describe('phone layout', () => {
  it('puts Chat and People in tabs, Chat first', () => {
    const state = { ...base, members: [{ id: 'u7', name: 'Ada', user_id: '7', guest: false, connections: 1 }] };
    const html = render(<RoomPanels room={room} socket={null} state={state} compact />);
    expect(html).toMatch(/<div class="room-tablist" role="tablist" aria-label="Chat and people">/);
    expect(html).toMatch(/<button type="button" role="tab" id="([^"]+)-tab-chat" class="room-tab" aria-selected="true" aria-controls="\1-panel-chat" tabindex="0">Chat<\/button>/);
    expect(html).toMatch(/role="tab"[^>]*aria-selected="false"[^>]*tabindex="-1">People<span class="room-tab-count">1<\/span><\/button>/);
    expect(html).toMatch(/<div class="room-panel room-panel-people" role="tabpanel" id="[^"]+-panel-people" aria-labelledby="[^"]+-tab-people" hidden="">/);
    expect(html).toMatch(/<div class="room-panel room-panel-chat" role="tabpanel"[^>]*>/);
    expect(html).not.toMatch(/room-panel-chat" role="tabpanel"[^>]*hidden/);
  });
});
