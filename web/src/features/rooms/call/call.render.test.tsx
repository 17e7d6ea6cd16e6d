// Server-side renders of the video call (no DOM): the tile contract the end-to-end test relies on
// (data attributes, names), 1 / 5 / 30 people, the camera-off avatar, the muted mark, the notices, and
// the controls' names in English and Russian.
import type { ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import type { CallSession, CallView } from '../../../core/call/call_session';
import type { MediaStreamLike } from '../../../core/call/call_types';
import type { Locale } from '../../../core/i18n';
import type { Participant } from '../../../core/room_protocol';
import { unnamedControls } from '../../../test/accessible_names';
import { renderWithServices } from '../../../test/render';
import { callTiles, gridSize, initials, tileQualities } from './call_layout';
import { CallPanel, type CallPanelProps } from './CallPanel';
import { IDLE_CALL } from './use_call';

const render = (node: ReactNode, locale: Locale = 'en') => renderWithServices(node, { locale });

/** A call that shows a fixed view. */
function staticCall(view: CallView): CallSession {
  const nothing = () => Promise.resolve();
  return {
    getView: () => view,
    subscribe: () => () => {},
    setDevice: nothing,
    chooseDevice: nothing,
    refreshDevices: nothing,
    setQualities: () => {},
    dismissError: () => {},
    inboundStats: () => Promise.resolve([]),
    close: () => {},
  };
}

const stream = (kinds: string[]): MediaStreamLike => ({ getTracks: () => kinds.map((kind, i) => ({ kind, id: `${kind}${i}`, stop: () => {} })) });
const person = (i: number, extra: Partial<Participant> = {}): Participant => ({ id: `p${i}`, member_id: `m${i}`, name: `Person ${i}`, mic: false, camera: false, ...extra });
const joined: CallView = { ...IDLE_CALL, status: 'joined' };

function panel(props: Partial<CallPanelProps> & { view?: CallView } = {}, locale: Locale = 'en') {
  const { view = joined, ...rest } = props;
  return render(
    <CallPanel call={staticCall(view)} supported participants={[person(1, { name: 'Ada Lovelace' })]} selfId="p1" selfName="Ada Lovelace" ready {...rest} />,
    locale,
  );
}

/** Every tile's opening tag, with its attributes. */
const tiles = (html: string) => [...html.matchAll(/<li [^>]*data-testid="call-tile"[^>]*>/g)].map((m) => m[0]);
const attr = (tag: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(tag)?.[1];
/** The HTML of the tile for one participant. */
function tileHtml(html: string, id: string): string {
  const start = html.indexOf(`data-participant-id="${id}"`);
  return html.slice(start, html.indexOf('</li>', start));
}

describe('call grid', () => {
  it('after a reconnect, a tile still playing the previous connection\'s stream shows it as it was (video, no muted mark)', () => {
    // The new participant p2 has not announced its camera again yet; its tile plays the old stream.
    const participants = [person(1, { name: 'Ada' }), person(2, { name: 'Bo' }), person(3, { name: 'Cy' })];
    const view: CallView = {
      ...joined,
      remote: new Map([['p2', stream(['audio', 'video'])]]),
      carried: new Map([['p2', { camera: true, mic: true }]]),
    };
    const html = panel({ view, participants });
    const bo = tileHtml(html, 'p2');
    expect(bo).toContain('<video class="call-video"');
    expect(bo).not.toContain('Microphone off');
    expect(tileHtml(html, 'p3')).not.toContain('<video');
  });

  it('one person, camera off: the Video call region with no video tile, only your name and muted mark in the compact people list', () => {
    const html = panel();
    expect(html).toContain('<section class="call" aria-label="Video call">');
    const [tag] = tiles(html);
    expect(tiles(html)).toHaveLength(1);
    expect(attr(tag!, 'data-participant-id')).toBe('p1');
    expect(attr(tag!, 'data-self')).toBe('true');
    expect(attr(tag!, 'data-camera')).toBe('off');
    expect(attr(tag!, 'data-mic')).toBe('off');
    expect(attr(tag!, 'data-talking')).toBe('false');
    expect(tag).toContain('class="call-person"');
    const mine = tileHtml(html, 'p1');
    expect(mine).not.toContain('call-avatar'); // no big empty tile
    expect(mine).toContain('role="img" aria-label="Microphone off"');
    expect(mine).toContain('<span class="call-tile-name">Ada Lovelace</span>');
    expect(mine).not.toContain('<video');
    expect(html).not.toContain('call-grid');
    expect(html).toContain('<ul class="call-people" aria-label="In the room, camera off">');
  });

  it('five people: remote camera on plays a video, camera off shows initials, mic on has no muted mark, the speaker is featured', () => {
    const participants = [
      person(1, { name: 'Ada' }),
      person(2, { name: 'Bo', camera: true, mic: true }),
      person(3, { name: 'Cy Twombly' }),
      person(4, { name: 'Dee', mic: true }),
      person(5, { name: 'Eve', camera: true }),
    ];
    const view: CallView = {
      ...joined,
      camera: { wanted: true, live: true, starting: false, deviceId: null },
      localStream: stream(['video']),
      remote: new Map([
        ['p2', stream(['audio', 'video'])],
        ['p5', stream(['audio', 'video'])],
      ]),
      talking: new Set(['p2']),
      activeSpeaker: 'p2',
    };
    const html = panel({ view, participants });
    const tags = tiles(html);
    // Video tiles for the three cameras that are on, then the two without a camera in the people list.
    expect(tags.map((t) => attr(t, 'data-participant-id'))).toEqual(['p1', 'p2', 'p5', 'p3', 'p4']);
    expect(tags.map((t) => `${attr(t, 'data-camera')}/${attr(t, 'data-mic')}/${attr(t, 'data-talking')}/${attr(t, 'data-self')}`)).toEqual([
      'on/off/false/true',
      'on/on/true/false',
      'on/off/false/false',
      'off/off/false/false',
      'off/on/false/false',
    ]);
    expect(tags.map((t) => attr(t, 'class'))).toEqual(['call-tile call-tile-self', 'call-tile call-tile-featured', 'call-tile', 'call-person', 'call-person']);
    expect(html).toContain('data-size="m"');
    // You: your mirrored preview.
    expect(tileHtml(html, 'p1')).toContain('<video class="call-video call-video-mirrored"');
    // Bo: video and sound, no muted mark, featured (he spoke last).
    const bo = tileHtml(html, 'p2');
    expect(bo).toContain('<video class="call-video"');
    expect(bo).toContain('<audio autoPlay=""></audio>');
    expect(bo).not.toContain('Microphone off');
    expect(tags[1]).toContain('class="call-tile call-tile-featured"');
    // Cy: camera off: a name with the muted mark, no tile.
    expect(tileHtml(html, 'p3')).not.toContain('call-avatar');
    expect(tileHtml(html, 'p3')).not.toContain('<video');
    expect(tileHtml(html, 'p3')).toContain('aria-label="Microphone off"');
    // Dee: camera off, mic on, no stream yet: no sound element; the mic shown as on.
    expect(tileHtml(html, 'p4')).not.toContain('<audio');
    expect(tileHtml(html, 'p4')).not.toContain('Microphone off');
    expect(tileHtml(html, 'p4')).toContain('aria-label="Microphone on"');
  });

  it('thirty people, nine other cameras on (yours off): thirty entries with unique ids, nine video tiles sized for nine', () => {
    const participants = Array.from({ length: 30 }, (_, i) => person(i + 1, { camera: i % 3 === 0, mic: i % 2 === 0 }));
    const html = panel({ participants });
    const ids = tiles(html).map((t) => attr(t, 'data-participant-id'));
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    expect(tiles(html).filter((t) => attr(t, 'class')?.startsWith('call-tile'))).toHaveLength(9);
    expect(html).toContain('data-size="s"');
    expect(tiles(html).filter((t) => attr(t, 'data-self') === 'true')).toHaveLength(1);
  });

  it('a camera that is on but whose video has not arrived shows the video element over dimmed initials', () => {
    const html = panel({ participants: [person(1), person(2, { name: 'Bo', camera: true })] });
    const bo = tileHtml(html, 'p2');
    expect(bo).toContain('<video');
    expect(bo).toContain('call-avatar call-avatar-waiting');
  });

  it('no tiles before the room socket has its hello', () => {
    const html = panel({ ready: false });
    expect(tiles(html)).toEqual([]);
    expect(html).toContain('Connecting to the call…');
  });
});

describe('call notices', () => {
  const statusText = (html: string) => /<div class="call-status" role="status">(.*?)<\/div>/.exec(html)?.[1]?.replace(/<[^>]+>/g, '') ?? null;

  it('unavailable: a status that starts with "Video chat is unavailable" and says the rest goes on', () => {
    const html = panel({ view: { ...IDLE_CALL, status: 'unavailable' } });
    const text = statusText(html)!;
    expect(text.startsWith('Video chat is unavailable')).toBe(true);
    expect(text).toContain('Chat and the film keep working');
    expect(text).toContain('by itself');
    // The tiles and controls stay (devices can be readied for when it is back).
    expect(tiles(html)).toHaveLength(1);
    expect(html).toContain('aria-label="Call controls"');
    const ru = statusText(panel({ view: { ...IDLE_CALL, status: 'unavailable' } }, 'ru'))!;
    expect(ru.startsWith('Видеозвонок сейчас недоступен')).toBe(true);
  });

  it('turned off on this server: says so in English and Russian, with no device buttons and no names', () => {
    const html = panel({ view: { ...IDLE_CALL, status: 'off' } });
    expect(statusText(html)).toBe('Video chat is turned off on this server. Chat and the film work as usual.');
    expect(html).not.toContain('aria-label="Call controls"');
    expect(html).not.toContain('<button');
    expect(tiles(html)).toEqual([]);
    const ru = panel({ view: { ...IDLE_CALL, status: 'off' } }, 'ru');
    expect(statusText(ru)).toBe('Видеозвонки на этом сервере выключены. Чат и фильм работают как обычно.');
    expect(ru).not.toContain('<button');
  });

  it('no microphone on this device: a note before any click, in English and Russian; none when one is listed', () => {
    const noMic: CallView = { ...joined, devices: { cameras: [{ id: 'cam1', label: '' }], mics: [], noMic: true } };
    expect(panel({ view: noMic })).toContain('No microphone found on this device. You can still watch, listen and chat; plug one in to talk.');
    expect(panel({ view: noMic }, 'ru')).toContain('На этом устройстве нет микрофона.');
    const withMic: CallView = { ...joined, devices: { cameras: [], mics: [{ id: 'mic1', label: '' }] } };
    expect(panel({ view: withMic })).not.toContain('No microphone found');
    // Before the browser listed its devices nothing is claimed.
    expect(panel()).not.toContain('No microphone found');
  });

  it('connecting shows progress; joined shows nothing', () => {
    expect(statusText(panel({ view: IDLE_CALL }))).toBe('Connecting to the call…');
    expect(statusText(panel())).toBe('');
  });

  it('a browser without WebRTC: the unavailable notice, no controls', () => {
    const html = render(<CallPanel call={null} supported={false} participants={[person(1)]} selfId="p1" selfName="Person 1" ready />);
    expect(statusText(html)!.startsWith('Video chat is unavailable')).toBe(true);
    expect(html).not.toContain('aria-label="Call controls"');
  });

  it('a refused camera: an alert with the way out', () => {
    const html = panel({ view: { ...joined, error: { device: 'camera', problem: 'denied' } } });
    expect(html).toContain('role="alert"');
    expect(html).toContain('Kino can’t use your camera: allow it in the browser’s site settings, then try again.');
    expect(html).toContain('aria-label="Dismiss"');
  });
});

describe('call controls', () => {
  /** Buttons' opening tags and inner text. */
  const buttons = (html: string) =>
    [...html.matchAll(/<button([^>]*)>(.*?)<\/button>/g)].map((m) => ({ attrs: m[1]!, name: /aria-label="([^"]+)"/.exec(m[1]!)?.[1] ?? m[2]!.replace(/<[^>]+>/g, '') }));

  it('Microphone and Camera toggles with aria-pressed, and Devices with two labelled pickers', () => {
    const view: CallView = {
      ...joined,
      camera: { wanted: true, live: true, starting: false, deviceId: 'cam2' },
      devices: { cameras: [{ id: 'cam1', label: 'Front' }, { id: 'cam2', label: '' }], mics: [{ id: 'mic1', label: 'Built-in' }] },
    };
    const html = panel({ view });
    const bs = buttons(html);
    const mic = bs.find((b) => b.name === 'Microphone')!;
    const cam = bs.find((b) => b.name === 'Camera')!;
    expect(mic.attrs).toContain('aria-pressed="false"');
    expect(cam.attrs).toContain('aria-pressed="true"');
    const devices = bs.find((b) => b.name === 'Devices')!;
    expect(devices.attrs).toContain('aria-expanded="false"');
    const panelId = /aria-controls="([^"]+)"/.exec(devices.attrs)![1]!;
    expect(html).toContain(`id="${panelId}" class="call-devices" hidden=""`);
    const labels = [...html.matchAll(/<label for="([^"]+)"[^>]*>([^<]+)<\/label>/g)].map((m) => [m[2], html.includes(`<select id="${m[1]}"`)]);
    expect(labels).toEqual([
      ['Camera device', true],
      ['Microphone device', true],
    ]);
    expect(html).toContain('<option value="cam2" selected="">Camera 2</option>');
    // Every control has an accessible name (the pickers behind Devices too).
    expect(unnamedControls(html)).toEqual([]);
  });

  it('a device that is starting is pressed and shows a spinner, keeping its name', () => {
    const html = panel({ view: { ...joined, mic: { wanted: true, live: false, starting: true, deviceId: null } } });
    const mic = buttons(html).find((b) => b.name === 'Microphone')!;
    expect(mic.attrs).toContain('aria-pressed="true"');
    expect(html).toContain('spinner call-btn-spinner');
  });

  it('names the controls in Russian', () => {
    const html = panel({}, 'ru');
    const names = buttons(html).map((b) => b.name);
    expect(names).toEqual(expect.arrayContaining(['Микрофон', 'Камера', 'Устройства']));
    expect(html).toContain('aria-label="Видеозвонок"');
    expect(html).toContain('aria-label="Микрофон выключен"');
    expect(html).toContain('Камера для звонка');
  });
});

describe('call layout', () => {
  it('grid sizes by head count', () => {
    expect([1, 2, 3, 6, 7, 12, 13, 30].map(gridSize)).toEqual(['l', 'l', 'm', 'm', 's', 's', 'xs', 'xs']);
  });

  it('initials', () => {
    expect(['Anna Karenina', 'bob', '  ', 'élodie de la Tour', 'Юрий Гагарин'].map(initials)).toEqual(['AK', 'B', '?', 'ÉT', 'ЮГ']);
  });

  it('you first; no one featured with two people or when you spoke last; your ring only with a live mic', () => {
    const ps = [person(2), person(1), person(3)];
    const base = { participants: ps, selfId: 'p1', selfName: 'x' };
    expect(callTiles({ ...base, view: { ...joined, activeSpeaker: 'p1', talking: new Set(['p1']) } }).map((t) => [t.id, t.featured, t.talking])).toEqual([
      ['p1', false, false],
      ['p2', false, false],
      ['p3', false, false],
    ]);
    expect(callTiles({ ...base, participants: ps.slice(0, 2), view: { ...joined, activeSpeaker: 'p2' } }).some((t) => t.featured)).toBe(false);
    const live = { ...joined, mic: { wanted: true, live: true, starting: false, deviceId: null }, localTalking: true };
    expect(callTiles({ ...base, view: live })[0]!.talking).toBe(true);
  });

  it('your tile is there even before the participant list has you', () => {
    const t = callTiles({ participants: [person(2)], selfId: 'p9', selfName: 'Me', view: joined });
    expect(t.map((x) => [x.id, x.name, x.self])).toEqual([
      ['p9', 'Me', true],
      ['p2', 'Person 2', false],
    ]);
  });

  it('received quality follows the tile size; the featured tile gets the top layer', () => {
    const view = (activeSpeaker: string | null): CallView => ({ ...joined, activeSpeaker });
    const q = (n: number, speaker: string | null = null) =>
      Object.fromEntries(tileQualities(callTiles({ participants: Array.from({ length: n }, (_, i) => person(i + 1)), selfId: 'p1', selfName: 'x', view: view(speaker) })));
    expect(q(2)).toEqual({ p2: 'high' });
    expect(q(4, 'p3')).toEqual({ p2: 'medium', p3: 'high', p4: 'medium' });
    expect(Object.values(q(13)).every((x) => x === 'low')).toBe(true);
  });
});
