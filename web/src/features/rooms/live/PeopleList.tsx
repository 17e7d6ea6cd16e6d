import { useI18n } from '../../../app/services';
import type { Member, Participant } from '../../../core/room_socket';
import type { Room } from '../../../core/rooms_api';
import { CallIcon } from '../call/icons';

export interface PeopleListProps {
  room: Room;
  members: readonly Member[];
  memberId: string | null;
  ready: boolean;
  headingId: string;
  quietHeading?: boolean;
  /** The call's participants: a person is shown with a camera / microphone when any of their tabs sends one. */
  participants?: readonly Participant[];
}

/** Who is in the room right now (live presence), with the host and guests marked. */
export function PeopleList({ room, members, memberId, ready, headingId, quietHeading = false, participants = [] }: PeopleListProps) {
  const { t } = useI18n();
  const sending = (id: string, what: 'mic' | 'camera') => participants.some((p) => p.member_id === id && p[what]);
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
            {(sending(m.id, 'camera') || sending(m.id, 'mic')) && (
              <span className="person-media">
                {sending(m.id, 'camera') && (
                  <span role="img" aria-label={t('people.cameraOn')}>
                    <CallIcon name="camera" className="person-media-icon" />
                  </span>
                )}
                {sending(m.id, 'mic') && (
                  <span role="img" aria-label={t('people.micOn')}>
                    <CallIcon name="mic" className="person-media-icon" />
                  </span>
                )}
              </span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
