import { useI18n } from '../../app/services';
import { LiveIcon } from './HomeEmptyState';
import { RoomListSection } from './RoomListSection';
import { useRoomList } from './use_room_list';

/** "Live now": public rooms playing at the moment, refreshed every 15 s. */
export function LiveNowSection() {
  const { t } = useI18n();
  const { retry, ...state } = useRoomList('live');
  return (
    <RoomListSection
      status="live"
      title={
        <>
          <span className="live-dot" aria-hidden="true" />
          {t('home.live.title')}
        </>
      }
      emptyIcon={<LiveIcon />}
      emptyTitle={t('home.live.emptyTitle')}
      emptyBody={t('home.live.emptyBody')}
      state={state}
      onRetry={retry}
    />
  );
}
