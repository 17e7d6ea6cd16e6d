import { Link } from 'react-router-dom';
import { useI18n } from '../../app/services';
import { buttonClass } from '../../ui/Button';
import { ErrorPage } from './ErrorPage';

/** Any URL the app does not know. */
export function NotFoundPage() {
  const { t } = useI18n();
  return (
    <ErrorPage
      code="404"
      title={t('errors.404.title')}
      body={t('errors.404.body')}
      docTitle={t('errors.404.docTitle')}
      actions={
        <Link className={buttonClass('primary')} to="/">
          {t('errors.backHome')}
        </Link>
      }
    />
  );
}
