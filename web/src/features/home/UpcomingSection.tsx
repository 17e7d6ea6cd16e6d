import { useI18n } from '../../app/services';
import { CalendarIcon } from './HomeEmptyState';
import { RoomListSection } from './RoomListSection';
import { useRoomList } from './use_room_list';

/** "Upcoming": scheduled public screenings with local start times and calendar files. */
export function UpcomingSection() {
  const { t } = useI18n();
  const { retry, ...state } = useRoomList('scheduled');
  return (
    <RoomListSection
      status="scheduled"
      title={t('home.upcoming.title')}
      emptyIcon={<CalendarIcon />}
      emptyTitle={t('home.upcoming.emptyTitle')}
      emptyBody={t('home.upcoming.emptyBody')}
      state={state}
      onRetry={retry}
    />
  );
}
