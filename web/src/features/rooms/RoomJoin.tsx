import { useEffect, useId, useState, type FormEvent } from 'react';
import { useAnnounce, useI18n, useServices } from '../../app/services';
import { errorText, type ErrorText } from '../../core/error_text';
import { checkGuestName } from '../../core/room_validation';
import type { Room } from '../../core/rooms_api';
import { formatDateTimeWithZone } from '../../core/time';
import { LoadError, Loading } from '../../ui/LoadState';
import { PageHeading } from '../../ui/PageHeading';
import { useForm } from '../../ui/use_form';
import { AccountRequired } from './AccountRequired';
import { Countdown, useCountdownNow } from './Countdown';
import { recallGuestName, rememberGuestName } from './guest_name';
import { isRoomEnded, joinOrAccountRequired } from './join';
import { JoinFormEnd } from './JoinFormEnd';
import { RoomFacts } from './RoomFacts';

const ORDER = ['display_name'] as const;
const RULES = { display_name: 'validation.guestName.rules' } as const;

export interface RoomJoinProps {
  room: Room;
  loggedIn: boolean;
  onJoined(room: Room): void;
  /** The room ended before the join went through (409 `room_ended`): re-read it to show the ending. */
  onEnded(): void;
  /** For server-side renders in tests. */
  initialNow?: number;
}

/** A scheduled room's countdown and local start time, shown before anything is asked of the visitor. */
function StartsIn({ startsAt, initialNow }: { startsAt: string; initialNow?: number | undefined }) {
  const { t, locale } = useI18n();
  const headingId = useId();
  const startMs = Date.parse(startsAt);
  const now = useCountdownNow(startMs, initialNow);
  return (
    <div className="join-starts">
      <h2 id={headingId} className="lobby-title">
        {t('lobby.startsIn')}
      </h2>
      <Countdown now={now} startMs={startMs} labelledBy={headingId} />
      <p className="lobby-when">
        {t('lobby.startsAt')} <time dateTime={startsAt}>{formatDateTimeWithZone(startsAt, locale)}</time>
      </p>
    </div>
  );
}

/**
 * A public room this visitor has not joined yet: its title, facts, description and (when scheduled)
 * the countdown come first. Logged-in people join silently; guests give the name others will see. A
 * server that admits accounts only says so, with the way to log in.
 */
export function RoomJoin({ room, loggedIn, onJoined, onEnded, initialNow }: RoomJoinProps) {
  const { t } = useI18n();
  const { rooms } = useServices();
  const announce = useAnnounce();
  const form = useForm(ORDER, RULES);
  const [name, setName] = useState(recallGuestName);
  const [accountRequired, setAccountRequired] = useState(false);
  const [autoError, setAutoError] = useState<ErrorText | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!loggedIn) return;
    let live = true;
    joinOrAccountRequired(() => rooms.join(room.slug, {})).then(
      (joined) => {
        if (!live) return;
        if (joined) onJoined(joined.room);
        else setAccountRequired(true);
      },
      (e: unknown) => {
        if (!live) return;
        if (isRoomEnded(e)) onEnded();
        else setAutoError(errorText(e));
      },
    );
    return () => {
      live = false;
    };
  }, [loggedIn, rooms, room.slug, onJoined, onEnded, attempt]);

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const n = checkGuestName(name);
    void form.submit(n ? { display_name: n } : {}, async () => {
      let joined;
      try {
        joined = await joinOrAccountRequired(() => rooms.join(room.slug, { display_name: name.trim() }));
      } catch (e) {
        if (!isRoomEnded(e)) throw e;
        return onEnded();
      }
      if (!joined) return setAccountRequired(true);
      rememberGuestName(joined.display_name);
      announce(t('announce.joined', { title: joined.room.title }));
      onJoined(joined.room);
    });
  }

  let body;
  if (accountRequired) body = <AccountRequired slug={room.slug} />;
  else if (loggedIn) {
    body = autoError ? (
      <LoadError
        message={t(autoError.key, autoError.params)}
        onRetry={() => {
          setAutoError(null);
          setAttempt((a) => a + 1);
        }}
      />
    ) : (
      <Loading label={t('room.join.joining')} />
    );
  } else {
    body = (
      <form className="join-form" noValidate aria-label={t('room.join.form')} onSubmit={onSubmit}>
        <p className="join-prompt">{t('room.join.prompt')}</p>
        <JoinFormEnd form={form} guestName={{ value: name, set: setName }} />
      </form>
    );
  }

  return (
    <section className="room-join card">
      <PageHeading>{room.title}</PageHeading>
      <RoomFacts room={room} withStart={false} />
      {room.description && <p className="room-description">{room.description}</p>}
      {room.status === 'scheduled' && room.starts_at && <StartsIn startsAt={room.starts_at} initialNow={initialNow} />}
      {body}
    </section>
  );
}
