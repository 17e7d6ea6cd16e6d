import { useCallback, useLayoutEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { CHAT_WINDOW, LATEST, chatWindow, earlier, later, pinned, type ChatWindowLimits, type WindowStart } from '../../../core/chat_window';

/** Within this many pixels of the bottom counts as "reading the latest". */
const BOTTOM_SLACK = 48;
/** Scrolling closer than this to the top (bottom) of the rendered entries shows earlier (later) ones. */
const EDGE_ZONE = 240;

export interface ChatScrollInput<E extends { key: string }> {
  /** The log's entries in order (a new array whenever they change). */
  timeline: readonly E[];
  /** This tab's unsent messages, after the entries: a new one is our own sending, which always scrolls down. */
  pending: readonly unknown[];
  /** Whether the list is on screen (a hidden tab panel has no layout). */
  visible: boolean;
  /** Asks the server for older entries (called when the reader is at the first entry held). */
  onNeedOlder(fromButton: boolean): void;
  limits?: ChatWindowLimits;
}

export interface ChatScroll<E> {
  /** The entries to render (a window of the timeline, see core/chat_window.ts) and the index of the first. */
  entries: readonly E[];
  first: number;
  /** Whether entries held in the store lie above or below the rendered ones. */
  hasBefore: boolean;
  hasAfter: boolean;
  onScroll(): void;
  /** New messages arrived below a reader who scrolled up (or the window stops short of them). */
  unseen: boolean;
  toBottom(): void;
  /** Shows earlier entries, asking the server when none are held above. */
  showEarlier(): void;
}

/** An entry the reader sees at the top of the log, and how far below the log's top edge it is. */
export interface Anchor {
  key: string;
  offset: number;
}

/** The list items of `el`'s list that show `entries` (in order; this tab's unsent messages follow them). */
function itemsOf(el: HTMLElement, count: number): HTMLElement[] {
  const list = el.querySelector('ol');
  return list ? ([...list.children].slice(0, count) as HTMLElement[]) : [];
}

/** The first rendered entry whose bottom is below the top of `el`; null if none. */
export function findAnchor(el: HTMLElement, entries: readonly { key: string }[]): Anchor | null {
  const top = el.getBoundingClientRect().top;
  const items = itemsOf(el, entries.length);
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid]!.getBoundingClientRect().bottom > top) hi = mid;
    else lo = mid + 1;
  }
  const item = items[lo];
  return item ? { key: entries[lo]!.key, offset: item.getBoundingClientRect().top - top } : null;
}

/** Scrolls `el` so the anchor's entry is where it was; does nothing when it is no longer rendered. */
export function restoreAnchor(el: HTMLElement, entries: readonly { key: string }[], anchor: Anchor): void {
  const i = entries.findIndex((e) => e.key === anchor.key);
  const item = i < 0 ? undefined : itemsOf(el, entries.length)[i];
  if (item) el.scrollTop += item.getBoundingClientRect().top - el.getBoundingClientRect().top - anchor.offset;
}

/**
 * The chat log's scrolling and windowing: renders only a window of the timeline (the latest while the
 * reader is at the bottom; pinned where the reader is once they scroll up; moved by a page as they
 * scroll towards either end), sticks to the bottom while the reader is there, keeps the reader's place
 * when entries come or go above, asks for older messages at the first one held, and says when new
 * messages arrived below a reader who scrolled up.
 */
export function useChatScroll<E extends { key: string }>(
  ref: RefObject<HTMLElement | null>,
  { timeline, pending, visible, onNeedOlder, limits = CHAT_WINDOW }: ChatScrollInput<E>,
): ChatScroll<E> {
  const [from, setFrom] = useState<WindowStart>(LATEST);
  const { start, end } = chatWindow(timeline, from, limits);
  const entries = useMemo(() => timeline.slice(start, end), [timeline, start, end]);
  const hasBefore = start > 0;
  const hasAfter = end < timeline.length;

  const follow = useRef(true);
  const anchor = useRef<Anchor | null>(null);
  const last = useRef({ lastKey: null as string | null, pending: 0 });
  const [unseen, setUnseen] = useState(false);
  const now = useRef({ timeline, entries, from, hasAfter, onNeedOlder, limits });
  useLayoutEffect(() => {
    now.current = { timeline, entries, from, hasAfter, onNeedOlder, limits };
  });

  const showEarlierFrom = useCallback((fromButton: boolean) => {
    const { timeline: all, entries: shown, from: current, limits: l, onNeedOlder: needOlder } = now.current;
    const el = ref.current;
    if (fromButton) {
      // The reader is looking up (their scroll's event may not have arrived yet): keep what they see.
      follow.current = false;
      if (el) anchor.current = findAnchor(el, shown);
    }
    const next = earlier(all, current, l);
    if (next) setFrom(next);
    else {
      // A short log can be near its top while following the latest: it keeps following.
      if (!follow.current) setFrom(pinned(all, current, l));
      needOlder(fromButton);
    }
  }, [ref]);
  const showEarlier = useCallback(() => showEarlierFrom(true), [showEarlierFrom]);

  const toBottom = useCallback(() => {
    const el = ref.current;
    follow.current = true;
    setFrom(LATEST);
    setUnseen(false);
    if (el) el.scrollTop = el.scrollHeight;
  }, [ref]);

  const onScroll = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    const { timeline: all, entries: shown, from: current, hasAfter: more, limits: l } = now.current;
    const below = el.scrollHeight - el.scrollTop - el.clientHeight;
    if (below <= BOTTOM_SLACK && !more) {
      follow.current = true;
      setFrom(LATEST);
      setUnseen(false);
    } else if (follow.current) {
      follow.current = false;
      setFrom(pinned(all, current, l));
    }
    anchor.current = findAnchor(el, shown);
    if (el.scrollTop < EDGE_ZONE && el.scrollHeight > el.clientHeight) showEarlierFrom(false);
    else if (more && below < EDGE_ZONE) {
      const next = later(all, current, l);
      if (next) setFrom(next);
    }
  }, [ref, showEarlierFrom]);

  // After every change of what the log shows (and when it becomes visible).
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || !visible) return;
    const prev = last.current;
    const lastKey = entries[entries.length - 1]?.key ?? null;
    if (pending.length > prev.pending && !follow.current) {
      follow.current = true;
      setFrom(LATEST);
    }
    if (follow.current) {
      el.scrollTop = el.scrollHeight;
      setUnseen(false);
    } else {
      if (anchor.current) restoreAnchor(el, entries, anchor.current);
      if (prev.lastKey !== null && lastKey !== prev.lastKey) setUnseen(true);
    }
    last.current = { lastKey, pending: pending.length };
    anchor.current = findAnchor(el, entries);
  }, [ref, visible, entries, pending]);

  return { entries, first: start, hasBefore, hasAfter, onScroll, unseen: unseen || hasAfter, toBottom, showEarlier };
}
