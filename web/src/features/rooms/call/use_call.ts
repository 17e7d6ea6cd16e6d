import { useEffect, useSyncExternalStore } from 'react';
import type { CallSession, CallView, InboundStat } from '../../../core/call/call_session';
import { IDLE_CALL_VIEW } from '../../../core/call/call_view';

/** The view without a session: connecting, nothing on, nobody else. */
export const IDLE_CALL: CallView = IDLE_CALL_VIEW;
const noSubscribe = () => () => {};
const idle = () => IDLE_CALL;

/** The call as React state (an idle placeholder without a session). */
export function useCallView(call: CallSession | null): CallView {
  const get = call?.getView ?? idle;
  return useSyncExternalStore(call?.subscribe ?? noSubscribe, get, get);
}

export const CALL_DEBUG_KEY = 'kino.callDebug';

export interface CallDebug {
  inboundStats(): Promise<InboundStat[]>;
  /** `carried`: tiles still playing the previous connection's streams (a reconnect's handover). */
  state(): { joined: boolean; publishing: boolean; carried: number };
}

/**
 * With `localStorage['kino.callDebug'] = '1'` (tests, the benchmark), `window.__kinoCall` reads the
 * subscriber connection's stats by participant and whether we are in the call and publishing.
 * Nothing is exposed otherwise.
 */
export function useCallDebug(call: CallSession | null): void {
  useEffect(() => {
    let on: boolean;
    try {
      on = window.localStorage.getItem(CALL_DEBUG_KEY) === '1';
    } catch {
      on = false;
    }
    if (!on || !call) return;
    const w = window as unknown as { __kinoCall?: CallDebug };
    const debug: CallDebug = {
      inboundStats: () => call.inboundStats(),
      state: () => {
        const v = call.getView();
        return { joined: v.status === 'joined', publishing: v.publishing, carried: v.carried.size };
      },
    };
    w.__kinoCall = debug;
    return () => {
      if (w.__kinoCall === debug) delete w.__kinoCall;
    };
  }, [call]);
}
