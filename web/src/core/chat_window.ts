// Which slice of the chat timeline the log renders. A room's history can hold tens of thousands of
// entries (a busy two-hour evening, paged back by a late joiner); the page keeps them all in the store
// but puts only a window of them in the DOM, so its memory and work per message stay bounded.

/** How big the rendered window may be. */
export interface ChatWindowLimits {
  /** Entries rendered while the reader follows the latest (at the bottom). */
  follow: number;
  /** Entries revealed (or moved past) per step when the reader scrolls towards either end. */
  page: number;
  /** The most entries rendered while the reader is scrolled up; `follow` ≤ `max`. */
  max: number;
}

export const CHAT_WINDOW: ChatWindowLimits = { follow: 100, page: 50, max: 300 };

/**
 * Where the window starts: `latest` follows the newest `follow` entries; `oldest` starts at the first
 * entry held (older ones loaded from the server show up at once); `key` starts at that entry.
 */
export type WindowStart = { at: 'latest' } | { at: 'oldest' } | { at: 'key'; key: string };

export const LATEST: WindowStart = { at: 'latest' };
export const OLDEST: WindowStart = { at: 'oldest' };

/** The half-open index range [start, end) of `timeline` to render. A `key` no longer held falls back to `latest`. */
export function chatWindow(timeline: readonly { key: string }[], from: WindowStart, limits: ChatWindowLimits = CHAT_WINDOW): { start: number; end: number } {
  const n = timeline.length;
  let start = -1;
  if (from.at === 'oldest') start = 0;
  else if (from.at === 'key') start = timeline.findIndex((e) => e.key === from.key);
  if (start < 0) return { start: Math.max(0, n - limits.follow), end: n };
  return { start, end: Math.min(n, start + limits.max) };
}

/** A window start fixed at index `i` (`oldest` at 0). */
function at(timeline: readonly { key: string }[], i: number): WindowStart {
  return i <= 0 ? OLDEST : { at: 'key', key: timeline[i]!.key };
}

/**
 * The window start that reveals up to `page` entries above the current window (dropping entries at
 * the bottom past `max`), or null when the window already starts at the first entry held.
 */
export function earlier(timeline: readonly { key: string }[], from: WindowStart, limits: ChatWindowLimits = CHAT_WINDOW): WindowStart | null {
  const { start } = chatWindow(timeline, from, limits);
  if (start === 0) return null;
  return at(timeline, Math.max(0, start - limits.page));
}

/**
 * The window start that reveals up to `page` entries below the current window (dropping as many at
 * the top), or null when the window already reaches the newest entry.
 */
export function later(timeline: readonly { key: string }[], from: WindowStart, limits: ChatWindowLimits = CHAT_WINDOW): WindowStart | null {
  const { start, end } = chatWindow(timeline, from, limits);
  if (end >= timeline.length) return null;
  return at(timeline, Math.min(start + limits.page, Math.max(start, timeline.length - limits.max)));
}

/** The current window pinned where it is now (`latest` becomes the key it starts at), for a reader who scrolled up. */
export function pinned(timeline: readonly { key: string }[], from: WindowStart, limits: ChatWindowLimits = CHAT_WINDOW): WindowStart {
  if (from.at !== 'latest') return from;
  return at(timeline, chatWindow(timeline, from, limits).start);
}
