import { useEffect } from 'react';
import { Link } from 'react-router-dom';
import { useI18n } from '../../app/services';
import { roomPath, type Room } from '../../core/rooms_api';
import { buttonClass } from '../../ui/Button';
import { PageHeading } from '../../ui/PageHeading';

/**
 * The session was revoked by logging out (here or in another tab) while the room was open: the room is
 * left, and the way back is to log in again (which returns here).
 */
export function RoomSignedOut({ room }: { room: Room }) {
  const { t } = useI18n();
  // The room disappeared under the person: move focus to the heading that says why.
  useEffect(() => {
    document.querySelector<HTMLElement>('[data-page-heading]')?.focus();
  }, []);
  return (
    <section className="room-message room-signed-out card" data-testid="room-signed-out">
      <PageHeading>{t('room.signedOut.title')}</PageHeading>
      <p>{t('room.signedOut.body', { title: room.title })}</p>
      <div className="account-required-actions">
        <Link className={buttonClass('primary')} to={`/login?next=${encodeURIComponent(roomPath(room.slug))}`}>
          {t('room.signedOut.login')}
        </Link>
        <Link className={buttonClass('secondary')} to="/">
          {t('errors.backHome')}
        </Link>
      </div>
    </section>
  );
}
