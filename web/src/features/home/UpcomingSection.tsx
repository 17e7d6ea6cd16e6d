import { useId } from 'react';
import { useI18n } from '../../app/services';
import { CalendarIcon, HomeEmptyState } from './HomeEmptyState';

/**
 * "Upcoming": scheduled public screenings with local start times. The list arrives with the rooms API;
 * until then this renders the empty state.
 */
export function UpcomingSection() {
  const { t } = useI18n();
  const id = useId();
  return (
    <section className="home-section card" aria-labelledby={id}>
      <h2 id={id} className="section-title">
        {t('home.upcoming.title')}
      </h2>
      <HomeEmptyState icon={<CalendarIcon />} title={t('home.upcoming.emptyTitle')} body={t('home.upcoming.emptyBody')} />
    </section>
  );
}
