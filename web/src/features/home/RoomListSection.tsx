import { useId, type ReactNode } from 'react';
import { useI18n } from '../../app/services';
import type { ListStatus } from '../../core/rooms_api';
import { LoadError, Loading } from '../../ui/LoadState';
import { HomeEmptyState } from './HomeEmptyState';
import { RoomCard } from './RoomCard';
import type { RoomListState } from './use_room_list';

export interface RoomListSectionProps {
  /** The section element's id, for links to it (it also takes focus when one is followed). */
  id?: string;
  status: ListStatus;
  title: ReactNode;
  emptyIcon: ReactNode;
  emptyTitle: string;
  emptyBody: string;
  state: RoomListState;
  onRetry(): void;
}

/** One home-page list: loading, a failure with what to do, the empty state, or the cards. */
export function RoomListSection({ id: sectionId, status, title, emptyIcon, emptyTitle, emptyBody, state, onRetry }: RoomListSectionProps) {
  const { t } = useI18n();
  const id = useId();
  let body;
  if (state.rooms === null) {
    body = state.error ? (
      <LoadError message={t(status === 'live' ? 'home.live.error' : 'home.upcoming.error')} onRetry={onRetry} />
    ) : (
      <Loading />
    );
  } else if (state.rooms.length === 0) {
    body = <HomeEmptyState icon={emptyIcon} title={emptyTitle} body={emptyBody} />;
  } else {
    body = (
      <>
        <ul className="room-list" aria-labelledby={id}>
          {state.rooms.map((room) => (
            <RoomCard key={room.slug} room={room} />
          ))}
        </ul>
        {state.error && <p className="list-stale">{t('home.stale')}</p>}
      </>
    );
  }
  return (
    <section id={sectionId} tabIndex={sectionId ? -1 : undefined} className={`home-section home-section-${status} card`} aria-labelledby={id} aria-busy={state.rooms === null && !state.error}>
      <h2 id={id} className="section-title">
        {title}
      </h2>
      {body}
    </section>
  );
}
