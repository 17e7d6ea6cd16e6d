// Server-side renders of the shared player's controls (no DOM): every control has a name (EN and RU),
// the host alone gets the settings, the buffered ranges are drawn, the shortcut list.
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
const actions: PlayerActions = { toggle: noop, seekTo: noop, setMuted: noop, setVolume: noop, setRate: noop, setPersonal: noop, setPolicy: noop };
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

  it('offers the speeds, including one set elsewhere', () => {
    const html = controls({ ...view, state: { ...view.state!, rate: 1.1 } });
    expect(html).toContain('<option value="1.1" selected="">1.1×</option>');
    expect(controls(view, 'ru')).toContain('>1,5×</option>');
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
