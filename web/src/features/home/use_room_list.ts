import { useCallback, useEffect, useRef, useState } from 'react';
import { useServices } from '../../app/services';
import { errorText, type ErrorText } from '../../core/error_text';
import type { ListStatus, Room } from '../../core/rooms_api';
import { usePolling } from '../../ui/use_polling';

export const LIST_REFRESH_MS = 15_000;

export interface RoomListState {
  /** null until the first answer. */
  rooms: Room[] | null;
  /** The last failure; with `rooms` set, the list shown is stale. */
  error: ErrorText | null;
}

/** A public room list, refreshed every 15 s while the page is visible. */
export function useRoomList(status: ListStatus) {
  const { rooms: api } = useServices();
  const [state, setState] = useState<RoomListState>({ rooms: null, error: null });
  const inFlight = useRef<AbortController | null>(null);

  const load = useCallback(async () => {
    inFlight.current?.abort();
    const ctl = new AbortController();
    inFlight.current = ctl;
    try {
      const rooms = await api.list(status, ctl.signal);
      if (!ctl.signal.aborted) setState({ rooms, error: null });
    } catch (e) {
      if (!ctl.signal.aborted) setState((s) => ({ rooms: s.rooms, error: errorText(e) }));
    }
  }, [api, status]);

  useEffect(() => {
    void load();
    return () => inFlight.current?.abort();
  }, [load]);
  usePolling(load, LIST_REFRESH_MS);

  const retry = useCallback(() => {
    setState((s) => (s.rooms ? s : { rooms: null, error: null }));
    void load();
  }, [load]);

  return { ...state, retry };
}
