import { describe, expect, it } from 'vitest';
import { translate } from '../i18n';
import type { PlaybackState } from './playback_protocol';
import { parsePlaybackState, parsePolicy } from './playback_protocol';
import { bufferedPieces, formatClock, playbackSentence, playerKey } from './playback_text';

const state = (patch: Partial<PlaybackState>): PlaybackState => ({
  status: 'paused',
  position_s: 723.4,
  rate: 1,
  at_server_ms: 0,
  volume: 1,
  muted: false,
  action: 'pause',
  by: { id: 'u1', name: 'Anna' },
  ...patch,
});

const say = (s: PlaybackState, locale: 'en' | 'ru' = 'en') => {
  const sentence = playbackSentence(s, translate(locale, 'playback.someone'), (r) => r.toLocaleString(locale));
  return sentence && translate(locale, sentence.key, sentence.params);
};

describe('formatClock', () => {
  it('writes m:ss below an hour and h:mm:ss from an hour', () => {
    expect([0, 5, 75, 723.9, 3599, 3730, 36000].map(formatClock)).toEqual(['0:00', '0:05', '1:15', '12:03', '59:59', '1:02:10', '10:00:00']);
    expect(formatClock(-3)).toBe('0:00');
    expect(formatClock(Number.NaN)).toBe('0:00');
    expect(formatClock(Infinity)).toBe('0:00');
  });
});

describe('playbackSentence', () => {
  it('names the person, the action and the position', () => {
    expect(say(state({}))).toBe('Anna paused at 12:03');
    expect(say(state({ action: 'seek', position_s: 3730, by: { id: 'u2', name: 'Boris' } }))).toBe('Boris jumped to 1:02:10');
    expect(say(state({ action: 'play', status: 'playing', position_s: 0 }))).toBe('Anna pressed play at 0:00');
    expect(say(state({ action: 'volume' }))).toBe('Anna changed the volume');
    expect(say(state({ action: 'mute', muted: true }))).toBe('Anna muted the sound');
    expect(say(state({ action: 'mute', muted: false }))).toBe('Anna turned the sound on');
    expect(say(state({ action: 'rate', rate: 1.5 }))).toBe('Anna set the speed to 1.5×');
    expect(say(state({ action: 'rate', rate: 1.5 }), 'ru')).toBe('Anna: скорость 1,5×');
  });
  it('reads the server’s own actions', () => {
    expect(say(state({ action: 'buffering', by: { id: '', name: 'Boris' } }))).toBe('Waiting for Boris…');
    expect(say(state({ action: 'resume', by: null, status: 'playing' }))).toBe('Everyone is ready — playing');
    expect(say(state({ action: 'resume', by: null }), 'ru')).toBe('Все готовы — продолжаем');
    expect(say(state({ action: 'teleport', by: null }))).toBe('Someone changed playback');
    expect(say(state({ action: '' }))).toBeNull();
  });
});

describe('playerKey', () => {
  const body = { tagName: 'BODY' };
  it('maps the shortcuts on the page', () => {
    expect([' ', 'ArrowLeft', 'ArrowRight', 'm', 'M', 'f', '?', 'x'].map((key) => playerKey({ key }, body))).toEqual([
      'toggle', 'back', 'forward', 'mute', 'mute', 'fullscreen', 'help', null,
    ]);
    expect(playerKey({ key: ' ' }, null)).toBe('toggle');
  });
  it('leaves keys to text fields, buttons, sliders and radios', () => {
    for (const t of [{ tagName: 'INPUT', type: 'text' }, { tagName: 'INPUT' }, { tagName: 'TEXTAREA' }, { tagName: 'SELECT' }, { tagName: 'DIV', isContentEditable: true }]) {
      expect(playerKey({ key: 'm' }, t)).toBeNull();
      expect(playerKey({ key: ' ' }, t)).toBeNull();
    }
    expect(playerKey({ key: ' ' }, { tagName: 'BUTTON' })).toBeNull();
    expect(playerKey({ key: 'm' }, { tagName: 'BUTTON' })).toBe('mute');
    expect(playerKey({ key: 'ArrowLeft' }, { tagName: 'BUTTON' })).toBe('back');
    expect(playerKey({ key: 'ArrowLeft' }, { tagName: 'INPUT', type: 'range' })).toBeNull();
    expect(playerKey({ key: ' ' }, { tagName: 'INPUT', type: 'range' })).toBe('toggle');
    expect(playerKey({ key: 'ArrowRight' }, { tagName: 'INPUT', type: 'radio' })).toBeNull();
    expect(playerKey({ key: ' ' }, { tagName: 'INPUT', type: 'checkbox' })).toBeNull();
  });
  it('ignores keys with modifiers (browser shortcuts)', () => {
    expect(playerKey({ key: 'f', ctrlKey: true }, body)).toBeNull();
    expect(playerKey({ key: 'ArrowLeft', altKey: true }, body)).toBeNull();
    expect(playerKey({ key: 'm', metaKey: true }, body)).toBeNull();
  });
});

describe('bufferedPieces', () => {
  it('turns ranges into percentages, clipped to the duration', () => {
    expect(bufferedPieces([[0, 30], [60, 90], [110, 200], [5, 5]], 120)).toEqual([
      { left: 0, width: 25 },
      { left: 50, width: 25 },
      { left: (110 / 120) * 100, width: (10 / 120) * 100 },
    ]);
    expect(bufferedPieces([[0, 10]], Number.NaN)).toEqual([]);
    expect(bufferedPieces([[0, 10]], 0)).toEqual([]);
  });
});

describe('parsers', () => {
  it('read the state tolerantly', () => {
    expect(parsePlaybackState({ status: 'playing', position_s: 3, at_server_ms: 10, action: 'play', by: { id: 'u1', name: 'A' } })).toEqual({
      status: 'playing', position_s: 3, rate: 1, at_server_ms: 10, volume: 1, muted: false, action: 'play', by: { id: 'u1', name: 'A' },
    });
    expect(parsePlaybackState({ status: 'paused', position_s: 1, at_server_ms: 1, volume: 7, muted: true, by: null })).toMatchObject({ volume: 1, muted: true, by: null });
    expect(parsePlaybackState({ status: 'stopped', position_s: 1, at_server_ms: 1 })).toBeNull();
    expect(parsePlaybackState({ status: 'paused', at_server_ms: 1 })).toBeNull();
    expect(parsePlaybackState(null)).toBeNull();
  });
  it('read the policy, keeping what is missing or unknown', () => {
    expect(parsePolicy({ control: 'host', buffering: 'wait_for_all' })).toEqual({ control: 'host', buffering: 'wait_for_all' });
    expect(parsePolicy({ control: 'nobody' }, { control: 'host', buffering: 'catch_up' })).toEqual({ control: 'host', buffering: 'catch_up' });
    expect(parsePolicy(undefined)).toEqual({ control: 'everyone', buffering: 'catch_up' });
  });
});
