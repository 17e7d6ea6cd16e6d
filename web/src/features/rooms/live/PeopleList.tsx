import { useI18n } from '../../../app/services';
import type { Member } from '../../../core/room_socket';
import type { Room } from '../../../core/rooms_api';

export interface PeopleListProps {
  room: Room;
  members: readonly Member[];
  memberId: string | null;
  ready: boolean;
  headingId: string;
  quietHeading?: boolean;
}

/** Who is in the room right now (live presence), with the host and guests marked. */
export function PeopleList({ room, members, memberId, ready, headingId, quietHeading = false }: PeopleListProps) {
  const { t } = useI18n();
  return (
    <section className="people" aria-labelledby={headingId}>
      <h2 id={headingId} className={quietHeading ? 'visually-hidden' : 'side-title'}>
        {t('people.title')} <span className="people-count">{ready ? members.length : ''}</span>
      </h2>
      {ready && members.length === 0 && <p className="people-empty">{t('people.empty')}</p>}
      <ul className="people-list">
        {members.map((m) => (
          <li key={m.id} className="person">
            <span className="person-avatar" aria-hidden="true">
              {[...m.name.trim()][0]?.toUpperCase() ?? '?'}
            </span>
            <span className="person-name">{m.name}</span>
            {m.id === memberId && <span className="person-you">{t('people.you')}</span>}
            {m.user_id !== null && m.user_id === room.owner.id && <span className="tag tag-host">{t('people.host')}</span>}
            {m.guest && <span className="tag">{t('people.guest')}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}
