import { useEffect, useEffectEvent } from 'react';
import { createPoller } from '../core/poller';

/** Calls `run` every `intervalMs` while the page is visible and `enabled`; catches up when it is shown again. */
export function usePolling(run: () => Promise<unknown> | unknown, intervalMs: number, enabled = true): void {
  const tick = useEffectEvent(() => run());
  useEffect(() => {
    if (!enabled) return;
    const poller = createPoller({
      intervalMs,
      run: () => tick(),
      isVisible: () => document.visibilityState !== 'hidden',
    });
    const onVisibility = () => poller.visibilityChanged();
    document.addEventListener('visibilitychange', onVisibility);
    poller.start();
    return () => {
      poller.stop();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [intervalMs, enabled]);
}
