import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { useI18n } from '../../app/services';
import { buttonClass } from '../../ui/Button';
import { ErrorPage } from './ErrorPage';

export interface ForbiddenPageProps {
  /** Overrides the generic sentence, e.g. "This room is private." */
  title?: string;
  body?: string;
  /** Shown under the sentence: the private room's password form goes here. */
  children?: ReactNode;
}

/** 403: the person may not see this page (yet). */
export function ForbiddenPage({ title, body, children }: ForbiddenPageProps) {
  const { t } = useI18n();
  return (
    <ErrorPage
      code="403"
      title={title ?? t('errors.403.title')}
      body={body ?? t('errors.403.body')}
      docTitle={t('errors.403.docTitle')}
      actions={
        <Link className={buttonClass('secondary')} to="/">
          {t('errors.backHome')}
        </Link>
      }
    >
      {children}
    </ErrorPage>
  );
}
