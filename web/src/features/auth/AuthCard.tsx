import type { ReactNode } from 'react';
import { PageHeading } from '../../ui/PageHeading';
import './auth.css';

/** The frame of the login and register pages: a centred card with a heading, a lead and a footer link. */
export function AuthCard({ title, lead, children, footer }: { title: string; lead: string; children: ReactNode; footer: ReactNode }) {
  return (
    <div className="auth-page">
      <section className="auth-card card">
        <PageHeading>{title}</PageHeading>
        <p className="auth-lead">{lead}</p>
        {children}
      </section>
      <p className="auth-switch">{footer}</p>
    </div>
  );
}

export { FormAlert } from '../../ui/FormAlert';
