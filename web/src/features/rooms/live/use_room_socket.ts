import { useEffect, useState, useSyncExternalStore } from 'react';
import type { CallSession } from '../../../core/call/call_session';
import { createRoomSocket, initialRoomSocketState, type RoomSocket, type RoomSocketState, type SocketFactory } from '../../../core/room_socket';
import { createPlaybackSession, type PlaybackSession } from '../../../core/sync/playback_session';
import { callSupported, createBrowserCall } from '../call/browser_call';

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

const IDLE = initialRoomSocketState();
const noSubscribe = () => () => {};
const idle = () => IDLE;

function localStorageOrNull(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export interface RoomChannel {
  socket: RoomSocket | null;
  state: RoomSocketState;
  /** Shared playback over the same socket (clock sync starts with the first hello). */
  playback: PlaybackSession | null;
  /** The video call over the same socket (null: not yet, or this browser has no WebRTC). */
  call: CallSession | null;
}

/**
 * The room's realtime channel while `enabled` (a joined, live room): opened on mount, closed when the
 * page is left. Going offline drops it at once (the browser keeps dead sockets open for a while); coming
 * back online or to the tab retries without waiting for the backoff.
 */
export function useRoomSocket(slug: string, enabled: boolean): RoomChannel {
  const [channel, setChannel] = useState<{ socket: RoomSocket; playback: PlaybackSession; call: CallSession | null } | null>(null);
  useEffect(() => {
    if (!enabled) return;
    const s = createRoomSocket({
      slug,
      url: socketUrl(slug),
      connect: browserSocket,
      fetch: (input, init) => window.fetch(input, init),
    });
    // Created before the socket starts, so it sees the first hello.
    const playback = createPlaybackSession({ channel: s, storage: localStorageOrNull() });
    // Joins the call on every hello, with camera and microphone off.
    const call = callSupported() ? createBrowserCall(s, localStorageOrNull()) : null;
    const offline = () => s.networkLost();
    const online = () => s.reconnectNow();
    const visible = () => {
      if (document.visibilityState === 'visible') s.reconnectNow();
    };
    window.addEventListener('offline', offline);
    window.addEventListener('online', online);
    document.addEventListener('visibilitychange', visible);
    // The channel lives as long as this effect (StrictMode runs it twice): it can only be made here,
    // and rendering it needs this one update.
    // eslint-disable-next-line react-hooks/set-state-in-effect -- publishes the resource this effect owns
    setChannel({ socket: s, playback, call });
    s.start();
    return () => {
      window.removeEventListener('offline', offline);
      window.removeEventListener('online', online);
      document.removeEventListener('visibilitychange', visible);
      playback.close();
      call?.close(); // media.leave goes out before the socket closes
      s.close();
      setChannel(null);
    };
  }, [slug, enabled]);
  const socket = channel?.socket ?? null;
  const state = useSyncExternalStore(socket?.subscribe ?? noSubscribe, socket?.getState ?? idle, idle);
  return { socket, state, playback: channel?.playback ?? null, call: channel?.call ?? null };
}
