import { useCallback, useLayoutEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { LATEST, OLDEST, chatWindow, earlier, later, type ChatWindowLimits, type WindowStart } from '../../../core/chat_window';
import { findAnchor, restoreAnchor, type Anchor } from '../live/use_chat_scroll';

/** The whole chat of an ended room renders at most `max` messages at a time (core/chat_window.ts). */
export const TRANSCRIPT_WINDOW: ChatWindowLimits = { follow: 100, page: 50, max: 200 };

/** Scrolling closer than this to the top (bottom) of the rendered messages shows earlier (later) ones. */
const EDGE_ZONE = 240;

export interface TranscriptWindow<E> {
  /** The entries to render and the index of the first. */
  entries: readonly E[];
  first: number;
  /** Whether entries lie above or below the rendered ones. */
  hasBefore: boolean;
  hasAfter: boolean;
  onScroll(): void;
  /** Shows the first (last) entries, scrolled to the top (bottom). */
  toFirst(): void;
  toLast(): void;
  /** Shows up to a page more above (below), keeping what the reader sees where it is. */
  showEarlier(): void;
  showLater(): void;
}

type Step = (timeline: readonly { key: string }[], from: WindowStart, limits: ChatWindowLimits) => WindowStart | null;

/**
 * A window over a fixed, possibly very long list (an ended room's whole chat) in the scrolling
 * element `ref`, whose one `ol` renders `entries`: it starts at the first entry, moves by a page as
 * the reader scrolls towards either end and keeps the reader's place when it moves.
 */
export function useTranscriptWindow<E extends { key: string }>(
  ref: RefObject<HTMLElement | null>,
  timeline: readonly E[],
  limits: ChatWindowLimits = TRANSCRIPT_WINDOW,
): TranscriptWindow<E> {
  const [from, setFrom] = useState<WindowStart>(OLDEST);
  const { start, end } = chatWindow(timeline, from, limits);
  const entries = useMemo(() => timeline.slice(start, end), [timeline, start, end]);
  const hasBefore = start > 0;
  const hasAfter = end < timeline.length;

  const anchor = useRef<Anchor | null>(null);
  const edge = useRef<'top' | 'bottom' | null>(null);  // set until the window has moved there
  const now = useRef({ timeline, entries, from, hasBefore, hasAfter });
  useLayoutEffect(() => {
    now.current = { timeline, entries, from, hasBefore, hasAfter };
  });

  const step = useCallback(
    (to: Step) => {
      const { timeline: all, entries: shown, from: current } = now.current;
      const next = to(all, current, limits);
      if (!next) return;
      const el = ref.current;
      anchor.current = el ? findAnchor(el, shown) : null;
      setFrom(next);
    },
    [ref, limits],
  );
  const showEarlier = useCallback(() => step(earlier), [step]);
  const showLater = useCallback(() => step(later), [step]);

  const toEdge = useCallback(
    (which: 'top' | 'bottom') => {
      const target = which === 'top' ? OLDEST : LATEST;
      anchor.current = null;
      if (now.current.from === target) {
        // The window is there already and nothing re-renders: only scroll.
        const el = ref.current;
        if (el) el.scrollTop = which === 'top' ? 0 : el.scrollHeight;
        return;
      }
      edge.current = which;
      setFrom(target);
    },
    [ref],
  );
  const toFirst = useCallback(() => toEdge('top'), [toEdge]);
  const toLast = useCallback(() => toEdge('bottom'), [toEdge]);

  const onScroll = useCallback(() => {
    const el = ref.current;
    // A jump to either end is under way: the layout effect places the reader.
    if (!el || edge.current || el.scrollHeight <= el.clientHeight) return;
    const below = el.scrollHeight - el.scrollTop - el.clientHeight;
    if (el.scrollTop < EDGE_ZONE && now.current.hasBefore) step(earlier);
    else if (below < EDGE_ZONE && now.current.hasAfter) step(later);
  }, [ref, step]);

  // After every move of the window: to the edge asked for, or back to the reader's place.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (edge.current === 'top') el.scrollTop = 0;
    else if (edge.current === 'bottom') el.scrollTop = el.scrollHeight;
    else if (anchor.current) restoreAnchor(el, entries, anchor.current);
    edge.current = null;
    anchor.current = null;
  }, [ref, entries]);

  return { entries, first: start, hasBefore, hasAfter, onScroll, toFirst, toLast, showEarlier, showLater };
}
