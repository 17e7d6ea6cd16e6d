import { useEffect, useRef, useState } from 'react';
import { useAnnounce, useI18n } from '../../../app/services';
import type { MessageKey } from '../../../core/i18n';
import type { PlaybackNotice, PlaybackSession } from '../../../core/sync/playback_session';
import { playbackSentence } from '../../../core/sync/playback_text';

/** How long a toast stays on the player. */
export const TOAST_MS = 4_000;
/** The same sentence again within this long (a volume drag) is shown but not read out again. */
const REPEAT_QUIET_MS = 2_500;

export interface Toast {
  id: number;
  text: string;
}

function refusalKey(n: Extract<PlaybackNotice, { kind: 'refused' }>): MessageKey | null {
  if (n.code !== 'not_allowed') return null;
  return n.what === 'policy' ? 'player.refused.policy' : 'player.refused.control';
}

/**
 * Every shared change becomes a toast on the player and a polite announcement ("Anna paused at
 * 12:03"); a refused action is an alert (visible for everyone, read at once).
 */
export function usePlaybackToasts(playback: PlaybackSession | null): Toast | null {
  const { t, locale } = useI18n();
  const announce = useAnnounce();
  const [toast, setToast] = useState<Toast | null>(null);
  const last = useRef({ text: '', at: 0 });
  const nextId = useRef(1);

  useEffect(() => {
    if (!playback) return;
    const formatRate = (r: number) => r.toLocaleString(locale);
    let policy = playback.getView().policy;
    const show = (text: string) => {
      setToast({ id: nextId.current++, text });
      const now = Date.now();
      if (text !== last.current.text || now - last.current.at > REPEAT_QUIET_MS) announce(text, 'polite');
      last.current = { text, at: now };
    };
    return playback.onNotice((n) => {
      if (n.kind === 'state') {
        const s = playbackSentence(n.state, t('playback.someone'), formatRate);
        if (s) show(t(s.key, s.params));
      } else if (n.kind === 'policy') {
        const parts: string[] = [];
        if (n.policy.control !== policy.control) parts.push(t(n.policy.control === 'host' ? 'player.policy.changed.host' : 'player.policy.changed.everyone'));
        if (n.policy.buffering !== policy.buffering) parts.push(t(n.policy.buffering === 'wait_for_all' ? 'player.policy.changed.wait' : 'player.policy.changed.catchUp'));
        policy = n.policy;
        if (parts.length > 0) show(parts.join(' '));
      } else {
        const key = refusalKey(n);
        announce(key ? t(key) : t('player.refused.other', { reason: n.message || n.code }), 'alert');
      }
    });
  }, [playback, announce, t, locale]);

  useEffect(() => {
    if (!toast) return;
    const timer = window.setTimeout(() => setToast((cur) => (cur?.id === toast.id ? null : cur)), TOAST_MS);
    return () => window.clearTimeout(timer);
  }, [toast]);

  return toast;
}
