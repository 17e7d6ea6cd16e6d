// "My rooms", grouped as a person thinks of them: live now, coming up (soonest first), and ended
// (the archive; most recently ended first). Pure.
import type { Room } from '../../core/rooms_api';

export interface MyRoomGroups {
  live: Room[];
  upcoming: Room[];
  ended: Room[];
}

const time = (iso: string | null | undefined) => (iso ? Date.parse(iso) : 0);

export function groupMyRooms(rooms: readonly Room[]): MyRoomGroups {
  const live = rooms.filter((r) => r.status === 'live');
  const upcoming = rooms.filter((r) => r.status === 'scheduled').sort((a, b) => time(a.starts_at) - time(b.starts_at));
  const ended = rooms.filter((r) => r.status === 'ended').sort((a, b) => time(b.ended_at) - time(a.ended_at));
  return { live, upcoming, ended };
}

/** The owner may give it a new key: private, theirs, not ended. */
export const canRekey = (room: Room) => room.is_owner && room.visibility === 'private' && room.status !== 'ended';
