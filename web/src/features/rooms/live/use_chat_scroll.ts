import { useCallback, useLayoutEffect, useMemo, useRef, useState, type RefObject } from 'react';

/** Within this many pixels of the bottom counts as "reading the latest". */
const BOTTOM_SLACK = 48;
/** Scrolling closer than this to the top asks for older messages. */
const TOP_ZONE = 240;

export interface ChatScrollInput {
  /**
   * The log's entries in order (a new array whenever they change). A new first entry while the old
   * first one is still there means older ones were put in above.
   */
  timeline: readonly { key: string }[];
  /** This tab's unsent messages, after the entries: a new one is our own sending, which always scrolls down. */
  pending: readonly unknown[];
  /** Whether the list is on screen (a hidden tab panel has no layout). */
  visible: boolean;
  onNearTop(): void;
}

/**
 * The chat log's scrolling: sticks to the bottom while the reader is there, keeps the reader's place
 * when older messages are put in above, asks for older ones near the top, and says when new messages
 * arrived below a reader who scrolled up.
 */
export function useChatScroll(ref: RefObject<HTMLElement | null>, { timeline, pending, visible, onNearTop }: ChatScrollInput) {
  const atBottom = useRef(true);
  const last = useRef({ firstKey: null as string | null, height: 0, top: 0, count: 0, pending: 0 });
  const [unseen, setUnseen] = useState(false);
  const nearTop = useRef(onNearTop);
  useLayoutEffect(() => {
    nearTop.current = onNearTop;
  });
  const keys = useMemo(() => new Set(timeline.map((e) => e.key)), [timeline]);

  const toBottom = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    el.scrollTop = el.scrollHeight;
    atBottom.current = true;
    setUnseen(false);
  }, [ref]);

  const onScroll = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight <= BOTTOM_SLACK;
    last.current.top = el.scrollTop;
    if (atBottom.current) setUnseen(false);
    if (el.scrollTop < TOP_ZONE && el.scrollHeight > el.clientHeight) nearTop.current();
  }, [ref]);

  // After every change of what the log shows (and when it becomes visible).
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || !visible) return;
    const prev = last.current;
    const firstKey = timeline[0]?.key ?? null;
    const count = timeline.length + pending.length;
    const prepended = prev.firstKey !== null && firstKey !== prev.firstKey && keys.has(prev.firstKey);
    const grew = count > prev.count;
    if (prepended && !atBottom.current) {
      el.scrollTop = prev.top + (el.scrollHeight - prev.height);
    } else if (atBottom.current || pending.length > prev.pending) {
      el.scrollTop = el.scrollHeight;
      atBottom.current = true;
      setUnseen(false);
    } else if (grew && !prepended) {
      setUnseen(true);
    }
    last.current = { firstKey, height: el.scrollHeight, top: el.scrollTop, count, pending: pending.length };
  }, [ref, visible, timeline, pending, keys]);

  return { onScroll, unseen, toBottom };
}
