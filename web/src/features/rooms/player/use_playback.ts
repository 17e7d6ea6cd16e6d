import { useEffect, useSyncExternalStore } from 'react';
import { initialPlaybackView, type PlaybackSession, type PlaybackView } from '../../../core/sync/playback_session';

const IDLE = initialPlaybackView();
const noSubscribe = () => () => {};
const idle = () => IDLE;

/** The shared playback as React state (an idle placeholder without a session). */
export function usePlaybackView(playback: PlaybackSession | null): PlaybackView {
  return useSyncExternalStore(playback?.subscribe ?? noSubscribe, playback?.getView ?? idle, idle);
}

export const SYNC_DEBUG_KEY = 'kino.syncDebug';

interface SyncDebug {
  serverNow(): number;
  position(): number | null;
  /** The element and the synced clock read together, for comparing players at one server instant. */
  sample(): {
    serverNow: number;
    /** The page's wall clock at the same moment (pages and server share one machine in tests). */
    dateNow: number;
    currentTime: number;
    rate: number;
    paused: boolean;
    seeking: boolean;
    expected: number | null;
    state: PlaybackView['state'];
  };
  stats(): ReturnType<PlaybackSession['stats']>;
  trace(): ReturnType<PlaybackSession['trace']>;
}

/**
 * With `localStorage['kino.syncDebug'] = '1'` (tests, the benchmark), `window.__kinoSync` reads the
 * synchronised clock and the player together. Nothing is exposed otherwise.
 */
export function useSyncDebug(playback: PlaybackSession | null, video: HTMLVideoElement | null): void {
  useEffect(() => {
    let on: boolean;
    try {
      on = window.localStorage.getItem(SYNC_DEBUG_KEY) === '1';
    } catch {
      on = false;
    }
    if (!on || !playback || !video) return;
    const w = window as unknown as { __kinoSync?: SyncDebug };
    const debug: SyncDebug = {
      serverNow: () => playback.serverNow(),
      position: () => playback.position(),
      sample: () => ({
        serverNow: playback.serverNow(),
        dateNow: Date.now(),
        currentTime: video.currentTime,
        rate: video.playbackRate,
        paused: video.paused,
        seeking: video.seeking,
        expected: playback.position(),
        state: playback.getView().state,
      }),
      stats: () => playback.stats(),
      trace: () => playback.trace(),
    };
    w.__kinoSync = debug;
    return () => {
      if (w.__kinoSync === debug) delete w.__kinoSync;
    };
  }, [playback, video]);
}
