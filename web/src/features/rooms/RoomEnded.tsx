import { Link, useNavigate } from 'react-router-dom';
import { useAnnounce, useI18n, useServices } from '../../app/services';
import { errorText } from '../../core/error_text';
import { calendarUrl, transcriptUrl, type Room } from '../../core/rooms_api';
import { buttonClass } from '../../ui/Button';
import { ConfirmButton } from '../../ui/ConfirmButton';
import { RoomArchiveSection } from './archive/ArchiveView';

/**
 * The watch party is over (or was cancelled before it started): its archive (film, chat replay, who
 * came, the timeline) and downloads; its owner may delete it for good.
 */
export function RoomEnded({ room }: { room: Room }) {
  const { t } = useI18n();
  const { rooms } = useServices();
  const announce = useAnnounce();
  const navigate = useNavigate();
  const cancelled = room.ended_reason === 'cancelled';

  async function remove() {
    try {
      await rooms.remove(room.slug);
      announce(t('announce.roomDeleted'));
      navigate('/');
    } catch (e) {
      const text = errorText(e);
      announce(t(text.key, text.params), 'alert');
    }
  }

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
        {' · '}
        <a href={calendarUrl(room.slug)} download>
          {t('room.ended.calendar')}
        </a>
      </p>
      {!cancelled && <RoomArchiveSection room={room} />}
      <Link className={buttonClass('primary')} to="/">
        {t('errors.backHome')}
      </Link>
      {room.is_owner && (
        <div className="owner-actions" role="group" aria-label={t('room.ownerTools')}>
          <ConfirmButton
            label={t('room.delete')}
            question={t('room.delete.question')}
            confirmLabel={t('room.delete.confirm')}
            keepLabel={t('room.delete.keep')}
            busyLabel={t('room.delete.busy')}
            onConfirm={remove}
          />
        </div>
      )}
    </section>
  );
}
