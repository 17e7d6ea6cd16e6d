import { useI18n } from '../../app/services';
import type { MessageKey } from '../../core/i18n';
import type { Room, RoomStatus } from '../../core/rooms_api';
import { formatDateTime } from '../../core/time';

const STATUS_KEYS: Record<RoomStatus, MessageKey> = {
  live: 'room.status.live',
  scheduled: 'room.status.scheduled',
  ended: 'room.status.ended',
};

/** LIVE / Scheduled / Ended, as a coloured pill. */
export function StatusBadge({ status }: { status: RoomStatus }) {
  const { t } = useI18n();
  return (
    <span className={`badge badge-${status}`}>
      {status === 'live' && <span className="badge-dot" aria-hidden="true" />}
      {t(STATUS_KEYS[status])}
    </span>
  );
}

export function PeopleIcon() {
  return (
    <svg className="meta-icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
      <circle cx="7.5" cy="7" r="3" />
      <path d="M2 16.5c.6-3 2.8-4.5 5.5-4.5s4.9 1.5 5.5 4.5M13 4.3a3 3 0 0 1 0 5.4M15 12.3c1.6.6 2.6 2 3 4.2" />
    </svg>
  );
}

/**
 * The room's status, host, people count and (when scheduled, unless the lobby shows it anyway) start
 * time, in one line that wraps. `people` is the live presence count when the room's socket has it.
 * The count is shown for a live room only: presence is counted on the live room's realtime channel,
 * which a lobby does not open, so a scheduled room would always read "0 watching", its host included.
 */
export function RoomFacts({ room, withStart = true, people }: { room: Room; withStart?: boolean; people?: number | undefined }) {
  const { t, locale } = useI18n();
  return (
    <div className="room-facts">
      <StatusBadge status={room.status} />
      <span className="room-fact">{t('room.hostedBy', { name: room.owner.display_name })}</span>
      {room.status === 'live' && (
        <span className="room-fact" data-testid="room-people">
          <PeopleIcon />
          {t('room.watching', { count: people ?? room.participants })}
        </span>
      )}
      {withStart && room.status === 'scheduled' && room.starts_at && (
        <span className="room-fact">
          <time dateTime={room.starts_at}>{formatDateTime(room.starts_at, locale)}</time>
        </span>
      )}
    </div>
  );
}
