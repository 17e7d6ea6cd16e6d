import { useCallback, useEffect, useRef, useState } from 'react';
import { useLocation, useNavigate, useParams } from 'react-router-dom';
import { useI18n, useServices, useSession, useVisitorKey } from '../../app/services';
import type { Room } from '../../core/rooms_api';
import { keyFromHash } from '../../core/share';
import { NotFoundPage } from '../errors/NotFoundPage';
import { LoadError, Loading } from '../../ui/LoadState';
import { PageHeading } from '../../ui/PageHeading';
import { RoomAccessPage } from './RoomAccessPage';
import { RoomJoin } from './RoomJoin';
import { RoomSignedOut } from './RoomSignedOut';
import { RoomView } from './RoomView';
import { useRoom } from './use_room';
import './rooms.css';

/** `/r/:slug`: whatever this visitor may see of the room, from the 404 to the room itself. */
export function RoomPage() {
  const { t } = useI18n();
  const { slug = '' } = useParams();
  const location = useLocation();
  const navigate = useNavigate();
  const session = useSession();
  const { session: sessionStore } = useServices();
  const who = useVisitorKey();
  const { load, setRoom, refresh, retry } = useRoom(slug, who);
  // A shared "link with key" carries the key in the fragment: keep it, then take it out of the address bar.
  const [hashKey] = useState(() => keyFromHash(location.hash));
  const hasKeyInUrl = /(^#|&)key=/.test(location.hash);
  useEffect(() => {
    if (hasKeyInUrl) navigate({ pathname: location.pathname, search: location.search }, { replace: true, state: location.state });
  }, [hasKeyInUrl, navigate, location.pathname, location.search, location.state]);
  // The error pages name themselves; the room page names the room (or "Room" while loading).
  const docTitle = load.kind === 'room' ? load.room.title : load.kind === 'loading' || load.kind === 'failed' ? t('room.docTitle') : null;
  useEffect(() => {
    if (docTitle !== null) document.title = `${docTitle} · Kino`;
  }, [docTitle]);

  // Joining swaps the form for the room: move focus to the room's heading so nobody is left on nothing.
  const focusHeading = useRef(false);
  const onJoined = useCallback(
    (room: Room) => {
      focusHeading.current = true;
      setRoom(room);
    },
    [setRoom],
  );
  useEffect(() => {
    if (!focusHeading.current || load.kind !== 'room') return;
    focusHeading.current = false;
    document.querySelector<HTMLElement>('[data-page-heading]')?.focus();
  }, [load]);

  // Logging out (in any tab) closes the room's socket with 4401: say so here, and let the header learn
  // it too. The room as it was stays for the message; reloading it as a guest would show a join form.
  const [signedOut, setSignedOut] = useState<Room | null>(null);
  const onSignedOut = useCallback(
    (room: Room) => {
      setSignedOut(room);
      void sessionStore.refresh();
    },
    [sessionStore],
  );
  if (signedOut && signedOut.slug === slug) return <RoomSignedOut room={signedOut} />;

  const loggedIn = session.status === 'authenticated';
  switch (load.kind) {
    case 'loading':
      return <Loading label={t('room.loading')} />;
    case 'not_found':
      return <NotFoundPage title={t('room.notFound.title')} body={t('room.notFound.body')} />;
    case 'private':
      return <RoomAccessPage slug={slug} door={load.door} initialKey={hashKey} loggedIn={loggedIn} onJoined={onJoined} />;
    case 'failed':
      return (
        <section className="room-message card">
          <PageHeading>{t('room.failed.title')}</PageHeading>
          <LoadError message={t(load.error.key, load.error.params)} onRetry={retry} />
        </section>
      );
    case 'room':
      // An ended room is shown as ended to everyone: joining it is refused (409 room_ended).
      return load.room.joined || load.room.status === 'ended' ? (
        <RoomView room={load.room} onChange={setRoom} refresh={refresh} onSignedOut={onSignedOut} />
      ) : (
        <RoomJoin room={load.room} loggedIn={loggedIn} onJoined={onJoined} onEnded={refresh} />
      );
  }
}
