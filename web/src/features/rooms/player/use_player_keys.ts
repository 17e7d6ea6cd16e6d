import { useEffect, useEffectEvent, useState, type RefObject } from 'react';
import { playerKey, type PlayerKey } from '../../../core/sync/playback_text';

/**
 * The player's shortcuts anywhere on the page (not while typing, see `playerKey`). `handle` may
 * change on every render; the listener stays the same.
 */
export function usePlayerKeys(enabled: boolean, handle: (key: PlayerKey) => void): void {
  const onPlayerKey = useEffectEvent(handle);
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.repeat && e.key === ' ') return;
      const target = e.target instanceof HTMLElement ? e.target : null;
      if (target?.closest('dialog[open]')) return; // the shortcut list is open: its own keys
      const key = playerKey(e, target ? { tagName: target.tagName, type: (target as HTMLInputElement).type, isContentEditable: target.isContentEditable } : null);
      if (!key) return;
      e.preventDefault(); // Space would scroll the page, arrows too
      onPlayerKey(key);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [enabled]);
}

export interface Fullscreen {
  supported: boolean;
  active: boolean;
  toggle(): void;
}

/** Full screen for the whole player (video and Kino's controls). */
export function useFullscreen(ref: RefObject<HTMLElement | null>): Fullscreen {
  const [active, setActive] = useState(false);
  const supported = typeof document !== 'undefined' && document.fullscreenEnabled === true;
  useEffect(() => {
    const onChange = () => setActive(document.fullscreenElement !== null && document.fullscreenElement === ref.current);
    document.addEventListener('fullscreenchange', onChange);
    return () => document.removeEventListener('fullscreenchange', onChange);
  }, [ref]);
  return {
    supported,
    active,
    toggle() {
      if (document.fullscreenElement) void document.exitFullscreen().catch(() => {});
      else void ref.current?.requestFullscreen().catch(() => {});
    },
  };
}
