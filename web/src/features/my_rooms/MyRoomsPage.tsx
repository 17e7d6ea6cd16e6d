import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { useDocumentTitle, useI18n, useServices, useSession } from '../../app/services';
import type { MessageKey } from '../../core/i18n';
import { errorText } from '../../core/error_text';
import type { Room } from '../../core/rooms_api';
import { buttonClass } from '../../ui/Button';
import { LoadError, Loading } from '../../ui/LoadState';
import { PageHeading } from '../../ui/PageHeading';
import { CREATE_ROOM_PATH } from '../home/HomePage';
import { MyRoomCard, type MyRoomCardProps } from './MyRoomCard';
import { groupMyRooms } from './my_rooms';
import './my_rooms.css';

export const MY_ROOMS_PATH = '/my';

/** "My rooms": every room I created or was let into, live, upcoming and ended, private ones too. */
export function MyRoomsPage() {
  const { t } = useI18n();
  const session = useSession();
  const { rooms: api } = useServices();
  useDocumentTitle(t('mine.title'));
  const [state, setState] = useState<{ rooms: Room[] } | { error: string } | null>(null);
  const [attempt, setAttempt] = useState(0);
  const signedIn = session.status === 'authenticated';

  useEffect(() => {
    if (!signedIn) return;
    const ctl = new AbortController();
    api.mine(ctl.signal).then(
      (rooms) => setState({ rooms }),
      (e: unknown) => {
        if (ctl.signal.aborted) return;
        const text = errorText(e);
        setState({ error: t(text.key, text.params) });
      },
    );
    return () => ctl.abort();
  }, [api, signedIn, attempt, t]);

  const rotateKey = useCallback((slug: string, password: string | null) => api.rotateKey(slug, password), [api]);

  if (session.status === 'anonymous') {
    return (
      <section className="my-rooms">
        <PageHeading>{t('mine.title')}</PageHeading>
        <p>{t('mine.signIn')}</p>
        <Link className={buttonClass('primary')} to={`/login?next=${encodeURIComponent(MY_ROOMS_PATH)}`}>
          {t('nav.login')}
        </Link>
      </section>
    );
  }
  return (
    <section className="my-rooms">
      <PageHeading>{t('mine.title')}</PageHeading>
      <p className="my-rooms-lead">{t('mine.lead')}</p>
      {state === null ? (
        <Loading />
      ) : 'error' in state ? (
        <LoadError message={state.error} onRetry={() => setAttempt((n) => n + 1)} />
      ) : (
        <MyRoomsList rooms={state.rooms} rotateKey={rotateKey} />
      )}
    </section>
  );
}

const GROUPS: ReadonlyArray<{ key: 'live' | 'upcoming' | 'ended'; title: MessageKey }> = [
  { key: 'live', title: 'mine.live' },
  { key: 'upcoming', title: 'mine.upcoming' },
  { key: 'ended', title: 'mine.ended' },
];

/** The rooms in their groups (a group without rooms is left out); an invitation to create one when there are none. */
export function MyRoomsList({ rooms, rotateKey }: { rooms: readonly Room[]; rotateKey: MyRoomCardProps['rotateKey'] }) {
  const { t } = useI18n();
  if (rooms.length === 0) {
    return (
      <div className="my-rooms-empty">
        <p>{t('mine.empty')}</p>
        <Link className={buttonClass('primary')} to={CREATE_ROOM_PATH}>
          {t('home.create')}
        </Link>
      </div>
    );
  }
  const groups = groupMyRooms(rooms);
  return (
    <>
      {GROUPS.filter((g) => groups[g.key].length > 0).map((g) => (
        <section key={g.key} className="my-rooms-group" aria-labelledby={`my-rooms-${g.key}`}>
          <h2 id={`my-rooms-${g.key}`}>
            {t(g.title)} <span className="my-rooms-count">({groups[g.key].length})</span>
          </h2>
          <ul className="my-rooms-list">
            {groups[g.key].map((room) => (
              <MyRoomCard key={room.slug} room={room} rotateKey={rotateKey} />
            ))}
          </ul>
        </section>
      ))}
    </>
  );
}
