// Closing a pop-up the way people expect: Escape anywhere on the page, or a press outside it.
import { useEffect, useEffectEvent, type RefObject } from 'react';

export type DismissReason = 'escape' | 'outside';

/**
 * While installed, calls `onDismiss('escape')` for an Escape key anywhere in `doc`, and
 * `onDismiss('outside')` for a pointer press whose target is in none of `inside()` (the pop-up and the
 * button that opens it). Returns the function that removes both listeners.
 */
export function watchDismiss(doc: Document, inside: () => readonly (Node | null)[], onDismiss: (why: DismissReason) => void): () => void {
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || e.defaultPrevented) return;
    e.preventDefault();
    onDismiss('escape');
  };
  const onPress = (e: Event) => {
    const target = e.target as Node | null;
    if (target && inside().some((n) => n?.contains(target))) return;
    onDismiss('outside');
  };
  doc.addEventListener('keydown', onKey);
  doc.addEventListener('pointerdown', onPress);
  return () => {
    doc.removeEventListener('keydown', onKey);
    doc.removeEventListener('pointerdown', onPress);
  };
}

/** `watchDismiss` on this page while `open`. */
export function useDismiss(open: boolean, refs: readonly RefObject<Node | null>[], onDismiss: (why: DismissReason) => void): void {
  const dismiss = useEffectEvent(onDismiss);
  const list = useEffectEvent(() => refs.map((r) => r.current));
  useEffect(() => {
    if (!open) return;
    return watchDismiss(document, list, dismiss);
  }, [open]);
}
