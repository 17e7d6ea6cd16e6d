import { Link } from 'react-router-dom';
import { useDocumentTitle, useI18n, useSession } from '../../app/services';
import { buttonClass } from '../../ui/Button';
import { PageHeading } from '../../ui/PageHeading';
import { LIVE_ROOMS_ID, LiveNowSection } from './LiveNowSection';
import { UpcomingSection } from './UpcomingSection';
import './home.css';

export const CREATE_ROOM_PATH = '/new';

export function HomePage() {
  const { t } = useI18n();
  const session = useSession();
  useDocumentTitle(t('home.docTitle'));
  const createHref =
    session.status === 'authenticated' ? CREATE_ROOM_PATH : `/login?next=${encodeURIComponent(CREATE_ROOM_PATH)}`;
  return (
    <div className="home">
      <section className="hero">
        <div className="hero-text">
          <PageHeading>{t('home.title')}</PageHeading>
          <p className="hero-lead">{t('home.lead')}</p>
          <Link className={buttonClass('primary', 'lg', 'hero-cta')} to={createHref}>
            <svg className="btn-icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
              <path d="M10 4v12M4 10h12" />
            </svg>
            {t('home.create')}
          </Link>
        </div>
        <div className="hero-art">
          <a className="hero-screen" href={`#${LIVE_ROOMS_ID}`} aria-label={t('home.watchLive')}>
            <span className="hero-play" aria-hidden="true" />
          </a>
          <div className="hero-seats" aria-hidden="true">
            <span />
            <span />
            <span />
          </div>
        </div>
      </section>
      <div className="home-sections">
        <LiveNowSection />
        <UpcomingSection />
      </div>
    </div>
  );
}
