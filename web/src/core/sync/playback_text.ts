// Words and numbers of the shared player (no React, no DOM): clock times, the sentence for a shared
// action ("Anna paused at 12:03"), the keyboard shortcuts, and the buffered ranges as percentages.
import type { MessageKey, Params } from '../i18n';
import type { PlaybackState } from './playback_protocol';

const pad2 = (n: number) => String(n).padStart(2, '0');

/** 75 → "1:15", 3730 → "1:02:10"; negative or unknown → "0:00". */
export function formatClock(seconds: number): string {
  const total = Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}:${pad2(m)}:${pad2(s)}` : `${m}:${pad2(s)}`;
}

export interface Sentence {
  key: MessageKey;
  params: Params;
}

/**
 * The sentence for a shared change. `someone` names a person the server did not name; `formatRate`
 * writes a speed in the reader's locale. Null for changes nobody needs to hear about.
 */
export function playbackSentence(state: PlaybackState, someone: string, formatRate: (rate: number) => string = String): Sentence | null {
  const name = state.by?.name || someone;
  const time = formatClock(state.position_s);
  switch (state.action) {
    case 'play':
      return { key: 'playback.play', params: { name, time } };
    case 'pause':
      return { key: 'playback.pause', params: { name, time } };
    case 'seek':
      return { key: 'playback.seek', params: { name, time } };
    case 'rate':
      return { key: 'playback.rate', params: { name, rate: formatRate(state.rate) } };
    case 'volume':
      return { key: 'playback.volume', params: { name } };
    case 'mute':
      return { key: state.muted ? 'playback.mute' : 'playback.unmute', params: { name } };
    case 'buffering':
      return { key: 'playback.buffering', params: { name } };
    case 'resume':
      return { key: 'playback.resume', params: {} };
    case '':
      return null;
    default:
      return { key: 'playback.other', params: { name } };
  }
}

export type PlayerKey = 'toggle' | 'back' | 'forward' | 'mute' | 'fullscreen' | 'help';

export interface KeyPress {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
}

/** What the focused element is, as far as shortcuts care. */
export interface KeyTarget {
  tagName?: string;
  type?: string;
  isContentEditable?: boolean;
}

const TEXT_FREE_INPUTS = new Set(['range', 'checkbox', 'radio', 'button', 'submit', 'reset', 'color', 'file', 'image']);
const ACTIVATE_ON_SPACE = new Set(['BUTTON', 'A', 'SUMMARY']);
const ARROW_INPUTS = new Set(['range', 'radio']);

/**
 * The player shortcut for a key press on the page, or null when the key belongs to what has focus:
 * typing in a field, Space on a button (it presses the button), arrows on a slider or radio.
 */
export function playerKey(e: KeyPress, target: KeyTarget | null): PlayerKey | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  const tag = target?.tagName?.toUpperCase() ?? '';
  const type = (target?.type ?? '').toLowerCase();
  if (target?.isContentEditable || tag === 'TEXTAREA' || tag === 'SELECT') return null;
  if (tag === 'INPUT' && !TEXT_FREE_INPUTS.has(type)) return null;
  switch (e.key) {
    case ' ':
    case 'Spacebar':
      if (ACTIVATE_ON_SPACE.has(tag) || (tag === 'INPUT' && type !== 'range')) return null;
      return 'toggle';
    case 'ArrowLeft':
    case 'ArrowRight':
      if (tag === 'INPUT' && ARROW_INPUTS.has(type)) return null;
      return e.key === 'ArrowLeft' ? 'back' : 'forward';
    case 'm':
    case 'M':
      return 'mute';
    case 'f':
    case 'F':
      return 'fullscreen';
    case '?':
      return 'help';
    default:
      return null;
  }
}

/** Seconds the arrow keys move. */
export const SEEK_STEP_S = 5;

export interface Piece {
  /** Percent of the duration where the piece starts. */
  left: number;
  /** Percent of the duration it covers. */
  width: number;
}

/** Buffered time ranges (seconds) → pieces of the seek bar, clipped to the duration. */
export function bufferedPieces(ranges: readonly (readonly [number, number])[], duration: number): Piece[] {
  if (!Number.isFinite(duration) || duration <= 0) return [];
  const out: Piece[] = [];
  for (const [start, end] of ranges) {
    const a = Math.max(0, Math.min(duration, start));
    const b = Math.max(0, Math.min(duration, end));
    if (b - a <= 0) continue;
    out.push({ left: (a / duration) * 100, width: ((b - a) / duration) * 100 });
  }
  return out;
}
