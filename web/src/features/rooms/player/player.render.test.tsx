// Server-side renders of the shared player's controls (no DOM): every control has a name (EN and RU),
// the host alone gets the settings, the buffered ranges are drawn, the shortcut list.
import { readFileSync } from 'node:fs';
import type { ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import type { Locale } from '../../../core/i18n';
import type { PlaybackView } from '../../../core/sync/playback_session';
import { namedControls, unnamedControls } from '../../../test/accessible_names';
import { renderWithServices } from '../../../test/render';
import { PlayerControls, type PlayerActions } from './PlayerControls';
import { ShortcutsDialog } from './ShortcutsDialog';

const noop = () => {};
const render = (node: ReactNode, locale: Locale = 'en') => renderWithServices(node, { locale });

const view: PlaybackView = {
  ready: true,
  memberId: 'u1',
  isOwner: false,
  state: { status: 'playing', position_s: 10, rate: 1, at_server_ms: 0, volume: 0.8, muted: false, action: 'play', by: { id: 'u1', name: 'Anna' } },
  policy: { control: 'everyone', buffering: 'catch_up' },
  clockReady: true,
  rttMs: 2,
  personal: { volume: 0.5, muted: false },
  blocked: false,
  buffering: false,
};
const actions: PlayerActions = { toggle: noop, seekTo: noop, setMuted: noop, setVolume: noop, setRate: noop, setPersonal: noop, setPersonalMuted: noop, setPolicy: noop };
const media = { currentTime: 75, duration: 3730, buffered: [[0, 90], [600, 700]] as [number, number][], waiting: false };
const controls = (v: PlaybackView, locale: Locale = 'en') =>
  render(<PlayerControls view={v} media={media} actions={actions} fullscreen={{ supported: true, active: false, toggle: noop }} onHelp={noop} />, locale);

/** The accessible names of the controls, and of the group around them. */
function names(html: string): string[] {
  const group = [...html.matchAll(/role="group" aria-label="([^"]+)"/g)].map((m) => m[1]!);
  return [...group, ...namedControls(html).map((c) => c.name)];
}

describe('player controls', () => {
  it('names every control, in English and Russian', () => {
    expect(names(controls(view))).toEqual(
      expect.arrayContaining(['Player controls', 'Position', 'Pause', 'Mute for everyone', 'Room volume', 'My volume', 'Speed', 'Keyboard shortcuts', 'Full screen']),
    );
    expect(names(controls({ ...view, state: { ...view.state!, status: 'paused', muted: true } }))).toEqual(expect.arrayContaining(['Play', 'Unmute for everyone']));
    expect(names(controls(view, 'ru'))).toEqual(expect.arrayContaining(['Позиция', 'Пауза', 'Громкость комнаты', 'Моя громкость', 'Скорость', 'Быстрые клавиши']));
    // Every control has an accessible name, for the host too (the settings), in both languages.
    for (const locale of ['en', 'ru'] as const) {
      expect(unnamedControls(controls(view, locale))).toEqual([]);
      expect(unnamedControls(controls({ ...view, isOwner: true }, locale))).toEqual([]);
    }
  });

  it('the name check catches a control without a name (an id is not one)', () => {
    const html = render(
      <div role="group" aria-label="Player controls">
        <button type="button" id="play">
          <svg aria-hidden="true" />
        </button>
        <input type="range" id="seek" />
      </div>,
    );
    expect(unnamedControls(html)).toEqual(['<button type="button" id="play">', '<input type="range" id="seek">']);
  });

  it('shows the time, the position as text, and draws the buffered ranges', () => {
    const html = controls(view);
    expect(html).toContain('aria-valuetext="1:15 of 1:02:10"');
    expect(html).toContain('>1:15<');
    expect(html).toContain('>1:02:10<');
    expect(html.match(/class="seek-buffered"/g)).toHaveLength(2);
    expect(html).toContain('aria-valuetext="80%"');
    expect(html).toContain('aria-valuetext="50%"');
  });

  it('gives the host, and only the host, the playback settings', () => {
    expect(controls(view)).not.toContain('Playback settings');
    const host = controls({ ...view, isOwner: true, policy: { control: 'host', buffering: 'wait_for_all' } });
    expect(host).toMatch(/<button[^>]*aria-label="Playback settings"[^>]*aria-expanded="false"/);
    expect(host).toContain('Who can control playback');
    expect(host).toMatch(/checked="" value="host"/);
    expect(host).toMatch(/checked="" value="wait_for_all"/);
    expect(host).toContain('Others continue');
  });

  it('the playback settings panel sits in the flow under the controls, never over the video', () => {
    const css = readFileSync(new URL('./player.css', import.meta.url), 'utf8');
    const rules = [...css.matchAll(/\.player-settings\s*\{([^}]*)\}/g)].map((m) => m[1]!);
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules) expect(r).not.toMatch(/position:\s*(absolute|fixed)/);
    const host = controls({ ...view, isOwner: true });
    // After the bar, inside the controls group (the video is above the group).
    expect(host.indexOf('class="player-settings"')).toBeGreaterThan(host.indexOf('class="player-bar"'));
  });

  it('offers the speeds, including one set elsewhere', () => {
    const html = controls({ ...view, state: { ...view.state!, rate: 1.1 } });
    expect(html).toContain('<option value="1.1" selected="">1.1×</option>');
    expect(controls(view, 'ru')).toContain('>1,5×</option>');
  });
});

describe('volume: mine and the room\'s', () => {
  it('the speaker icon mutes me; the room\'s volume and mute sit apart, tagged "For everyone", in English and Russian', () => {
    const html = controls(view);
    expect(html).toMatch(/<button[^>]*aria-label="Mute for me"[^>]*aria-pressed="false"/);
    const mine = html.slice(html.indexOf('data-testid="my-volume"'), html.indexOf('player-volume-shared'));
    expect(mine).toContain('aria-label="Mute for me"');
    expect(mine).toContain('My volume');
    expect(mine).not.toContain('everyone');
    const room = html.slice(html.indexOf('player-volume-shared'));
    expect(room).toContain('role="group" aria-label="For everyone"');
    expect(room).toContain('>For everyone</span>');
    expect(room).toContain('Room volume');
    expect(room).toMatch(/<button[^>]*aria-pressed="false"[^>]*>Mute for everyone<\/button>/);
    expect(controls({ ...view, personal: { volume: 0.5, muted: true } })).toMatch(/<button[^>]*aria-label="Unmute for me"[^>]*aria-pressed="true"/);
    const ru = controls(view, 'ru');
    expect(ru).toContain('aria-label="Выключить звук у меня"');
    expect(ru).toContain('>Для всех</span>');
    expect(ru).toContain('>Выключить звук у всех</button>');
  });
});

describe('host only, as a guest', () => {
  const hostOnly: PlaybackView = { ...view, policy: { control: 'host', buffering: 'catch_up' } };
  /** Each control's name and whether it is disabled. */
  const states = (html: string) => Object.fromEntries(namedControls(html).map((c) => [c.name, / disabled=""/.test(c.tag)]));

  it('play, position, room volume, mute for everyone and speed are disabled with the reason shown; my own sound stays mine', () => {
    const html = controls(hostOnly);
    const noteId = /<p id="([^"]+)" class="player-note">Only the host controls playback in this room.<\/p>/.exec(html)?.[1];
    expect(noteId).toBeTruthy();
    expect(states(html)).toMatchObject({
      Pause: true,
      Position: true,
      'Room volume': true,
      'Mute for everyone': true,
      Speed: true,
      'Mute for me': false,
      'My volume': false,
      'Keyboard shortcuts': false,
    });
    // Each disabled control points at the reason.
    const described = [...html.matchAll(/<(?:button|input|select)[^>]* disabled=""[^>]*>/g)].map((m) => m[0]);
    expect(described.length).toBe(5);
    for (const tag of described) expect(tag).toMatch(new RegExp(`aria-describedby="[^"]*${noteId}`));
    expect(controls(hostOnly, 'ru')).toContain('>В этой комнате воспроизведением управляет только ведущий.</p>');
  });

  it('the host, and everyone in an open room, keep every control enabled and see no note', () => {
    for (const v of [{ ...hostOnly, isOwner: true }, view]) {
      const html = controls(v);
      expect(Object.values(states(html)).some(Boolean)).toBe(false);
      expect(html).not.toContain('player-note');
    }
  });
});

describe('shortcut list', () => {
  it('lists every shortcut with its keys', () => {
    const html = render(<ShortcutsDialog open={false} onClose={noop} />);
    for (const text of ['Keyboard shortcuts', 'Space', 'Play or pause for everyone', 'Left arrow', 'Back 5 seconds', 'Forward 5 seconds', '<kbd>M</kbd>', '<kbd>F</kbd>', '<kbd>?</kbd>', 'Close']) {
      expect(html).toContain(text);
    }
    expect(render(<ShortcutsDialog open={false} onClose={noop} />, 'ru')).toContain('Пробел');
  });
});
