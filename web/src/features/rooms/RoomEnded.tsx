import { Link } from 'react-router-dom';
import { useI18n } from '../../app/services';
import { transcriptUrl, type Room } from '../../core/rooms_api';
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
      <p className="room-ended-transcript">
        {t('room.ended.transcript')}{' '}
        <a href={transcriptUrl(room.slug, 'txt')} download>
          {t('room.ended.transcriptText')}
        </a>
        {' · '}
        <a href={transcriptUrl(room.slug, 'json')} download>
          {t('room.ended.transcriptJson')}
        </a>
      </p>
      <Link className={buttonClass('primary')} to="/">
        {t('errors.backHome')}
      </Link>
    </section>
  );
}
