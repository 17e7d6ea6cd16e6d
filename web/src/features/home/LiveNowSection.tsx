import { useId } from 'react';
import { useI18n } from '../../app/services';
import { HomeEmptyState, LiveIcon } from './HomeEmptyState';

/**
 * "Live now": public rooms playing at the moment. The room list arrives with the rooms API; until then
 * this renders the empty state.
 */
export function LiveNowSection() {
  const { t } = useI18n();
  const id = useId();
  return (
    <section className="home-section card" aria-labelledby={id}>
      <h2 id={id} className="section-title">
        <span className="live-dot" aria-hidden="true" />
        {t('home.live.title')}
      </h2>
      <HomeEmptyState icon={<LiveIcon />} title={t('home.live.emptyTitle')} body={t('home.live.emptyBody')} />
    </section>
  );
}
