import { Link } from 'react-router-dom';
import { useI18n } from '../../app/services';
import { buttonClass } from '../../ui/Button';
import { ErrorPage } from './ErrorPage';

/** Any URL the app does not know; a room link that leads nowhere passes its own sentence. */
export function NotFoundPage({ title, body }: { title?: string; body?: string }) {
  const { t } = useI18n();
  return (
    <ErrorPage
      code="404"
      title={title ?? t('errors.404.title')}
      body={body ?? t('errors.404.body')}
      docTitle={t('errors.404.docTitle')}
      actions={
        <Link className={buttonClass('primary')} to="/">
          {t('errors.backHome')}
        </Link>
      }
    />
  );
}
