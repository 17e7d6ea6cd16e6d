import { useEffect, useState, useSyncExternalStore } from 'react';
import { createRoomSocket, type RoomSocket, type RoomSocketState, type SocketFactory } from '../../../core/room_socket';

/** The browser's WebSocket behind the core's small socket interface. */
export const browserSocket: SocketFactory = (url, on) => {
  const ws = new WebSocket(url);
  ws.onopen = () => on.open();
  ws.onmessage = (e: MessageEvent) => {
    if (typeof e.data === 'string') on.message(e.data);
  };
  ws.onclose = (e: CloseEvent) => on.close(e.code);
  ws.onerror = () => {}; // a close event follows
  return {
    send: (data) => ws.send(data),
    close() {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      if (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN) ws.close(1000);
    },
  };
};

/** ws: or wss: on this page's own host. */
export function socketUrl(slug: string, loc: Pick<Location, 'protocol' | 'host'> = window.location): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}/api/v1/rooms/${encodeURIComponent(slug)}/ws`;
}

const IDLE: RoomSocketState = {
  status: 'connecting',
  ready: false,
  memberId: null,
  room: null,
  members: [],
  timeline: [],
  pending: [],
  older: { hasMore: false, loading: false, error: null },
  lastSeq: null,
};
const noSubscribe = () => () => {};
const idle = () => IDLE;

/**
 * The room's realtime channel while `enabled` (a joined, live room): opened on mount, closed when the
 * page is left. Going offline drops it at once (the browser keeps dead sockets open for a while); coming
 * back online or to the tab retries without waiting for the backoff.
 */
export function useRoomSocket(slug: string, enabled: boolean): { socket: RoomSocket | null; state: RoomSocketState } {
  const [socket, setSocket] = useState<RoomSocket | null>(null);
  useEffect(() => {
    if (!enabled) return;
    const s = createRoomSocket({
      slug,
      url: socketUrl(slug),
      connect: browserSocket,
      fetch: (input, init) => window.fetch(input, init),
    });
    const offline = () => s.networkLost();
    const online = () => s.reconnectNow();
    const visible = () => {
      if (document.visibilityState === 'visible') s.reconnectNow();
    };
    window.addEventListener('offline', offline);
    window.addEventListener('online', online);
    document.addEventListener('visibilitychange', visible);
    setSocket(s);
    s.start();
    return () => {
      window.removeEventListener('offline', offline);
      window.removeEventListener('online', online);
      document.removeEventListener('visibilitychange', visible);
      s.close();
      setSocket(null);
    };
  }, [slug, enabled]);
  const state = useSyncExternalStore(socket?.subscribe ?? noSubscribe, socket?.getState ?? idle, idle);
  return { socket, state };
}
