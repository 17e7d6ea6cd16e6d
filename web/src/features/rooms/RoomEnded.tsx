import { Link } from 'react-router-dom';
import { useI18n } from '../../app/services';
import type { Room } from '../../core/rooms_api';
import { buttonClass } from '../../ui/Button';

/** The watch party is over (or was cancelled before it started). */
export function RoomEnded({ room }: { room: Room }) {
  const { t } = useI18n();
  const cancelled = room.ended_reason === 'cancelled';
  return (
    <section className="room-ended card" aria-labelledby="room-ended-title">
      <h2 id="room-ended-title" className="room-ended-title">
        {t('room.ended.title')}
      </h2>
      <p className="room-ended-body">{cancelled ? t('room.ended.cancelled') : t('room.ended.body')}</p>
      <Link className={buttonClass('primary')} to="/">
        {t('errors.backHome')}
      </Link>
    </section>
  );
}
