import { useCallback, useEffect, useRef, useState } from 'react';
import { useServices } from '../../app/services';
import { ApiError } from '../../core/api';
import { errorText, type ErrorText } from '../../core/error_text';
import { parseRoomDoor, type Room, type RoomDoor } from '../../core/rooms_api';

export type RoomLoad =
  | { kind: 'loading' }
  | { kind: 'not_found' }
  /** 403 `room_private`: private, and this visitor has no grant yet; the door when the server sent it. */
  | { kind: 'private'; door: RoomDoor | null }
  | { kind: 'failed'; error: ErrorText }
  | { kind: 'room'; room: Room };

const LOADING: RoomLoad = { kind: 'loading' };

/**
 * Loads `/api/v1/rooms/{slug}` once the visitor is known (`who`), again when the visitor changes.
 * `setRoom` takes a newer room from join/edit/end; `refresh` re-reads quietly (keeping the current view
 * on failure); a slow refresh never overwrites a newer room.
 */
export function useRoom(slug: string, who: string | null) {
  const { rooms } = useServices();
  const [attempt, setAttempt] = useState(0);
  // What was loaded, for which request (visitor, room, attempt): a new request shows `loading` until
  // its own answer arrives.
  const request = `${who ?? ''}\n${slug}\n${attempt}`;
  const [loaded, setLoaded] = useState<{ request: string; load: RoomLoad } | null>(null);
  const load = loaded?.request === request ? loaded.load : LOADING;
  const generation = useRef(0);

  useEffect(() => {
    if (who === null) return;
    const ctl = new AbortController();
    const mine = ++generation.current;
    const show = (next: RoomLoad) => setLoaded({ request, load: next });
    rooms.get(slug, ctl.signal).then(
      (room) => {
        if (mine === generation.current) show({ kind: 'room', room });
      },
      (e: unknown) => {
        if (ctl.signal.aborted || mine !== generation.current) return;
        if (e instanceof ApiError && (e.code === 'room_not_found' || e.status === 404)) show({ kind: 'not_found' });
        else if (e instanceof ApiError && e.code === 'room_private') show({ kind: 'private', door: parseRoomDoor(e.body) });
        else show({ kind: 'failed', error: errorText(e) });
      },
    );
    return () => ctl.abort();
  }, [rooms, slug, who, request]);

  const setRoom = useCallback(
    (room: Room) => {
      generation.current += 1;
      setLoaded({ request, load: { kind: 'room', room } });
    },
    [request],
  );

  const refresh = useCallback(async () => {
    const mine = ++generation.current;
    try {
      const room = await rooms.get(slug);
      if (mine === generation.current) setLoaded({ request, load: { kind: 'room', room } });
    } catch {
      // Keep showing what we have; the next refresh may succeed.
    }
  }, [rooms, slug, request]);

  const retry = useCallback(() => setAttempt((a) => a + 1), []);

  return { load, setRoom, refresh, retry };
}
