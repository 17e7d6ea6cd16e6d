import { useI18n } from '../../app/services';
import type { CallSession } from '../../core/call/call_session';
import type { RoomSocket, RoomSocketState } from '../../core/room_socket';
import type { Room } from '../../core/rooms_api';
import type { PlaybackSession } from '../../core/sync/playback_session';
import { useMediaQuery } from '../../ui/use_media_query';
import { callSupported } from './call/browser_call';
import { CallPanel } from './call/CallPanel';
import { RoomPanels } from './live/RoomPanels';
import { useChatAnnouncements } from './live/use_chat_announcements';
import { PlayerRegion } from './media/PlayerRegion';
import { OwnerActions } from './OwnerActions';
import './live/live.css';
import './media/media.css';

/** Phones (and narrow windows) get the chat and the people list as tabs under the player. */
export const COMPACT_QUERY = '(max-width: 720px)';

export interface RoomLiveProps {
  room: Room;
  onChange(room: Room): void;
  socket: RoomSocket | null;
  state: RoomSocketState;
  playback?: PlaybackSession | null;
  /** The video call (null: not created yet, or this browser has no WebRTC). */
  call?: CallSession | null;
}

/**
 * A live room: the player (or the video's progress) with the video call under it, the chat and the
 * people in the room. The call is independent: when it is unavailable the rest works as before. On a
 * phone the chat and people tabs come right under the player and the call after them, its tiles a
 * strip (live.css): watching and chatting at once, without scrolling past the call.
 */
export function RoomLive({ room, onChange, socket, state, playback = null, call = null }: RoomLiveProps) {
  const { t } = useI18n();
  const compact = useMediaQuery(COMPACT_QUERY);
  useChatAnnouncements(socket);
  const selfName = state.members.find((m) => m.id === state.memberId)?.name ?? '';
  return (
    <div className="room-live">
      <div className="live-status" role="status">
        {state.status === 'reconnecting' && (
          <p className="reconnecting">
            <span className="spinner" aria-hidden="true" />
            {t('chat.reconnecting')}
          </p>
        )}
      </div>
      <div className="room-live-grid">
        <div className="room-stage">
          <PlayerRegion room={room} playback={playback} />
        </div>
        <RoomPanels room={room} socket={socket} state={state} compact={compact} />
        <div className="room-call">
          <CallPanel call={call} supported={callSupported()} participants={state.participants} selfId={state.participantId} selfName={selfName} ready={state.ready} />
        </div>
        {room.is_owner && (
          <div className="room-info">
            <OwnerActions room={room} onChange={onChange} />
          </div>
        )}
      </div>
    </div>
  );
}
