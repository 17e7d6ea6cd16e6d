import { useCallback, useLayoutEffect, useRef, useState, type RefObject } from 'react';

/** Within this many pixels of the bottom counts as "reading the latest". */
const BOTTOM_SLACK = 48;
/** Scrolling closer than this to the top asks for older messages. */
const TOP_ZONE = 240;

export interface ChatScrollInput {
  /** Key of the first entry: a change while the old first entry is still there means a prepend. */
  firstKey: string | null;
  /** Every key in order, to find the old first one. */
  hasKey(key: string): boolean;
  /** Entries at the end (timeline plus pending). */
  count: number;
  /** Pending messages: a new one is our own sending, which always scrolls down. */
  pendingCount: number;
  /** Whether the list is on screen (a hidden tab panel has no layout). */
  visible: boolean;
  onNearTop(): void;
}

/**
 * The chat log's scrolling: sticks to the bottom while the reader is there, keeps the reader's place
 * when older messages are put in above, asks for older ones near the top, and says when new messages
 * arrived below a reader who scrolled up.
 */
export function useChatScroll(ref: RefObject<HTMLElement | null>, input: ChatScrollInput) {
  const atBottom = useRef(true);
  const last = useRef({ firstKey: null as string | null, height: 0, top: 0, count: 0, pending: 0 });
  const [unseen, setUnseen] = useState(false);
  const nearTop = useRef(input.onNearTop);
  nearTop.current = input.onNearTop;

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

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || !input.visible) return;
    const prev = last.current;
    const prepended = prev.firstKey !== null && input.firstKey !== prev.firstKey && input.hasKey(prev.firstKey);
    const grew = input.count > prev.count;
    if (prepended && !atBottom.current) {
      el.scrollTop = prev.top + (el.scrollHeight - prev.height);
    } else if (atBottom.current || input.pendingCount > prev.pending) {
      el.scrollTop = el.scrollHeight;
      atBottom.current = true;
      setUnseen(false);
    } else if (grew && !prepended) {
      setUnseen(true);
    }
    last.current = { firstKey: input.firstKey, height: el.scrollHeight, top: el.scrollTop, count: input.count, pending: input.pendingCount };
  });

  return { onScroll, unseen, toBottom };
}
