import type { ReactNode } from 'react';
import { useDocumentTitle } from '../../app/services';
import { PageHeading } from '../../ui/PageHeading';
import './errors.css';

export interface ErrorPageProps {
  /** Big status code shown as decoration ("404"). */
  code: string;
  title: string;
  body: string;
  docTitle: string;
  /** Links and buttons: the way out. */
  actions: ReactNode;
  /** Extra content under the sentence (e.g. a room password form on the 403 page). */
  children?: ReactNode;
}

/** The shared shape of the 403, 404 and 500 pages: one heading, one sentence, a way home. */
export function ErrorPage({ code, title, body, docTitle, actions, children }: ErrorPageProps) {
  useDocumentTitle(docTitle);
  return (
    <section className="error-page card">
      <p className="error-code" aria-hidden="true">
        {code}
      </p>
      <PageHeading>{title}</PageHeading>
      <p className="error-body">{body}</p>
      {children}
      <div className="error-actions">{actions}</div>
    </section>
  );
}
