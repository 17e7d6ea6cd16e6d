import { Link } from 'react-router-dom';
import { useI18n } from '../../app/services';
import { calendarUrl, roomPath, type Room } from '../../core/rooms_api';
import { formatShortDateTime } from '../../core/time';
import { PeopleIcon, StatusBadge } from '../rooms/RoomFacts';

/** A room on the home page: a poster frame, the title (the link), and what matters for its list. */
export function RoomCard({ room }: { room: Room }) {
  const { t, locale } = useI18n();
  const initial = [...room.title.trim()][0]?.toUpperCase() ?? '?';
  return (
    <li className="room-card">
      <div className={`room-poster room-poster-${room.status}`} aria-hidden="true">
        <span className="room-poster-initial">{initial}</span>
      </div>
      <div className="room-card-body">
        <h3 className="room-card-title">
          <Link className="room-card-link" to={roomPath(room.slug)}>
            {room.title}
          </Link>
        </h3>
        <p className="room-card-meta">
          {room.status === 'live' ? (
            <>
              <StatusBadge status="live" />
              <span className="room-fact">
                <PeopleIcon />
                {t('room.watching', { count: room.participants })}
              </span>
            </>
          ) : (
            room.starts_at && (
              <time className="room-card-time" dateTime={room.starts_at}>
                {formatShortDateTime(room.starts_at, locale)}
              </time>
            )
          )}
        </p>
        <p className="room-card-owner">{t('room.hostedBy', { name: room.owner.display_name })}</p>
        {room.status === 'scheduled' && (
          <a className="room-card-calendar" href={calendarUrl(room.slug)} download>
            {t('lobby.addToCalendar')}
            <span className="visually-hidden">: {room.title}</span>
          </a>
        )}
      </div>
    </li>
  );
}
