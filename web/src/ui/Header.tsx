import { useState } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { useAnnounce, useI18n, useServices, useSession } from '../app/services';
import { errorText } from '../core/error_text';
import { Button, buttonClass } from './Button';
import { LanguageSwitcher } from './LanguageSwitcher';
import { LogoMark } from './Logo';

const NO_RETURN = new Set(['/', '/login', '/register']);

export function Header() {
  const session = useSession();
  const { session: store } = useServices();
  const { t } = useI18n();
  const announce = useAnnounce();
  const location = useLocation();
  const [loggingOut, setLoggingOut] = useState(false);

  // Come back to this page after logging in, unless it is one of the entry pages.
  const here = location.pathname + location.search;
  const next = NO_RETURN.has(location.pathname) ? '' : `?next=${encodeURIComponent(here)}`;

  async function logout() {
    setLoggingOut(true);
    try {
      await store.logout();
      announce(t('announce.loggedOut'));
    } catch (e) {
      const text = errorText(e);
      announce(t('error.logoutFailed', { reason: t(text.key, text.params) }), 'alert');
    } finally {
      setLoggingOut(false);
    }
  }

  let account = null;
  if (session.status === 'authenticated') {
    account = (
      <>
        <span className="current-user">
          <span className="visually-hidden">{t('nav.signedInAs')} </span>
          <span className="avatar" aria-hidden="true">
            {[...session.user.display_name][0]?.toUpperCase() ?? '?'}
          </span>
          <span className="current-user-name" data-testid="current-user" title={session.user.display_name}>
            {session.user.display_name}
          </span>
        </span>
        <Link className={buttonClass('ghost')} to="/my" aria-current={location.pathname === '/my' ? 'page' : undefined}>
          {t('nav.myRooms')}
        </Link>
        <Button variant="ghost" busy={loggingOut} onClick={logout}>
          {loggingOut ? t('nav.loggingOut') : t('nav.logout')}
        </Button>
      </>
    );
  } else if (session.status === 'anonymous' || session.error) {
    account = (
      <>
        <Link className={buttonClass('ghost')} to={`/login${next}`}>
          {t('nav.login')}
        </Link>
        <Link className={buttonClass('secondary')} to={`/register${next}`}>
          {t('nav.register')}
        </Link>
      </>
    );
  }

  return (
    <header className="site-header">
      <div className="container header-inner">
        <Link to="/" className="logo">
          <LogoMark />
          <span className="logo-text">{t('app.name')}</span>
        </Link>
        <div className="header-tools">
          <LanguageSwitcher />
          <nav className="header-account" aria-label={t('nav.account')} aria-busy={session.status === 'unknown' && !session.error}>
            {account}
          </nav>
        </div>
      </div>
    </header>
  );
}
