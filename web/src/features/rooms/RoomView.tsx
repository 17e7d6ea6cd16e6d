import { useEffect } from 'react';
import { useNavigate } from 'react-router-dom';
import { useAnnounce, useI18n } from '../../app/services';
import type { Room } from '../../core/rooms_api';
import { Button } from '../../ui/Button';
import { PageHeading } from '../../ui/PageHeading';
import { usePolling } from '../../ui/use_polling';
import { useRoomSocket } from './live/use_room_socket';
import { RoomEnded } from './RoomEnded';
import { RoomFacts } from './RoomFacts';
import { RoomLive } from './RoomLive';
import { RoomLobby } from './RoomLobby';
import { ShareButton } from './ShareButton';

/** Rooms change on their own (start, end); re-read now and then (the realtime channel carries chat and people). */
const REFRESH_MS = 30_000;

export interface RoomViewProps {
  room: Room;
  onChange(room: Room): void;
  refresh(): Promise<void>;
  /** The session was revoked by logging out (socket closed with 4401): the room is left. */
  onSignedOut(room: Room): void;
}

/** A room this visitor has joined (or any ended room): the header (title, facts, description), then the lobby, the player, or the ending. */
export function RoomView({ room, onChange, refresh, onSignedOut }: RoomViewProps) {
  const { t } = useI18n();
  const announce = useAnnounce();
  const navigate = useNavigate();
  usePolling(refresh, REFRESH_MS, room.status !== 'ended');
  // The realtime channel: chat and presence while the room is live (closed when the page is left).
  const live = room.status === 'live' && room.joined;
  const { socket, state, playback, call } = useRoomSocket(room.slug, live);
  // The server says the room ended (room.ended, close 4410): show the ending at once, with what the
  // event said; re-read the room only when it said nothing (a bare close code). Once `room` is ended,
  // `live` is false and this stops.
  const socketStatus = state.status;
  const ending = socketStatus === 'ended' ? state.ending : null;
  useEffect(() => {
    if (!live || !ending) return;
    onChange({ ...room, status: 'ended', ended_reason: ending.reason ?? room.ended_reason, ended_at: ending.at ?? room.ended_at, participants: 0 });
    announce(t('announce.roomEnded'));
    if (ending.reason === null) void refresh();
  }, [live, ending, room, onChange, refresh, announce, t]);
  // Logged out (here or in another tab: close 4401): the page leaves the room.
  useEffect(() => {
    if (live && socketStatus === 'signed_out') onSignedOut(room);
  }, [live, socketStatus, room, onSignedOut]);
  // Who is here: the channel's members once it is up; before that the count the room was read with,
  // which may not include this visitor yet (a host opening their room read "0 watching").
  const people = live ? (state.ready ? state.members.length : Math.max(room.participants, 1)) : undefined;
  // The hello carries the room as the server sees it: a status that moved on is re-read.
  const heardStatus = socketStatus === 'ended' ? null : state.room?.status;
  useEffect(() => {
    if (live && heardStatus && heardStatus !== 'live') void refresh();
  }, [live, heardStatus, refresh]);

  return (
    <div className="room">
      <header className="room-header">
        <div className="room-header-main">
          <PageHeading className="room-title">{room.title}</PageHeading>
          <RoomFacts room={room} withStart={false} people={people} />
          {room.description && <p className="room-description">{room.description}</p>}
        </div>
        {room.status !== 'ended' && (
          <div className="room-header-actions">
            <ShareButton url={room.url} />
            <Button variant="ghost" onClick={() => navigate('/')}>
              {t('room.leave')}
            </Button>
          </div>
        )}
      </header>
      {room.status === 'scheduled' && <RoomLobby room={room} onChange={onChange} refresh={refresh} />}
      {room.status === 'live' && <RoomLive room={room} onChange={onChange} socket={socket} state={state} playback={playback} call={call} />}
      {room.status === 'ended' && <RoomEnded room={room} />}
    </div>
  );
}
