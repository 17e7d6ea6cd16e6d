import { useI18n } from '../../app/services';
import { Button, buttonClass } from '../../ui/Button';
import { ErrorPage } from './ErrorPage';

/**
 * 500: shown by the ErrorBoundary when rendering failed. Uses a plain <a> for the way home, because
 * the router itself may be what broke.
 */
export function ServerErrorPage() {
  const { t } = useI18n();
  return (
    <ErrorPage
      code="500"
      title={t('errors.500.title')}
      body={t('errors.500.body')}
      docTitle={t('errors.500.docTitle')}
      actions={
        <>
          <Button variant="primary" onClick={() => window.location.reload()}>
            {t('errors.500.reload')}
          </Button>
          <a className={buttonClass('secondary')} href="/">
            {t('errors.backHome')}
          </a>
        </>
      }
    />
  );
}
