import { useI18n } from '../../app/services';
import { LiveIcon } from './HomeEmptyState';
import { RoomListSection } from './RoomListSection';
import { useRoomList } from './use_room_list';

/** The section's element id: the hero's play button leads here. */
export const LIVE_ROOMS_ID = 'live-now';

/** "Live now": public rooms playing at the moment, refreshed every 15 s. */
export function LiveNowSection() {
  const { t } = useI18n();
  const { retry, ...state } = useRoomList('live');
  return (
    <RoomListSection
      id={LIVE_ROOMS_ID}
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
