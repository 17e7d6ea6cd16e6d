import { Link } from 'react-router-dom';
import { useI18n } from '../../app/services';
import { roomPath } from '../../core/rooms_api';
import { buttonClass } from '../../ui/Button';

/** The server only lets accounts join: say so, with the way to log in or register and come back. */
export function AccountRequired({ slug }: { slug: string }) {
  const { t } = useI18n();
  const next = `?next=${encodeURIComponent(roomPath(slug))}`;
  return (
    <div className="account-required" role="alert">
      <p>{t('room.accountRequired')}</p>
      <div className="account-required-actions">
        <Link className={buttonClass('primary')} to={`/login${next}`}>
          {t('nav.login')}
        </Link>
        <Link className={buttonClass('secondary')} to={`/register${next}`}>
          {t('nav.register')}
        </Link>
      </div>
    </div>
  );
}
