import { useEffect } from 'react';
import { Link } from 'react-router-dom';
import { useI18n } from '../../app/services';
import { roomPath, type CreatedRoom } from '../../core/rooms_api';
import { formatDateTime } from '../../core/time';
import { Button, buttonClass } from '../../ui/Button';
import { CopyField } from '../../ui/CopyField';
import { PageHeading } from '../../ui/PageHeading';
import { KeyShare } from './KeyShare';
import { ShareIngest } from './media/ShareIngest';
import './media/media.css';

/**
 * After creating a room: the short link to share, and for a generated access key the key itself (shown
 * this once) and a link that carries it in the fragment; how far the video's preparation is. Then
 * "Open room".
 */
export function SharePanel({ created, onAnother }: { created: CreatedRoom; onAnother(): void }) {
  const { t, locale } = useI18n();
  const { room, url, access_key: key } = created;

  // The form is gone: put focus on the new heading so keyboard and screen-reader users land here.
  useEffect(() => {
    document.querySelector<HTMLElement>('[data-page-heading]')?.focus();
  }, []);

  return (
    <section className="share-panel card">
      <PageHeading>{t('share.title')}</PageHeading>
      <p className="share-lead">
        <strong className="share-room-title">{room.title}</strong>{' '}
        {room.status === 'scheduled' && room.starts_at
          ? t('share.leadScheduled', { when: formatDateTime(room.starts_at, locale) })
          : t('share.lead')}
      </p>
      <CopyField label={t('share.shortLink')} what={t('share.shortLink.what')} value={url} copiedMessage={t('share.linkCopied')} />
      {key && <KeyShare url={url} accessKey={key} />}
      {room.protected_by === 'password' && <p className="share-note">{t('share.passwordNote')}</p>}
      <ShareIngest room={room} />
      <div className="share-actions">
        <Link className={buttonClass('primary', 'lg')} to={roomPath(room.slug)}>
          {t('share.open')}
        </Link>
        <Button variant="ghost" onClick={onAnother}>
          {t('share.another')}
        </Button>
      </div>
    </section>
  );
}
