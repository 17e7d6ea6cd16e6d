import { useEffect, useRef, type ReactNode } from 'react';
import { useLocation } from 'react-router-dom';
import { useI18n } from '../app/services';
import { Header } from './Header';
import { LiveRegion } from './LiveRegion';

/** Skip link, header, the page in <main>, and the live regions. Moves focus to the h1 on navigation. */
export function Layout({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const { pathname } = useLocation();
  const first = useRef(true);

  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const heading = document.querySelector<HTMLElement>('[data-page-heading]');
    heading?.focus({ preventScroll: false });
  }, [pathname]);

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        {t('nav.skipToContent')}
      </a>
      <Header />
      <main id="main" className="container main" tabIndex={-1}>
        {children}
      </main>
      <LiveRegion />
    </div>
  );
}
