import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { useAnnounce, useDocumentTitle, useI18n, useServices } from '../../app/services';
import { checkGuestName } from '../../core/room_validation';
import type { Room, RoomDoor } from '../../core/rooms_api';
import { PageHeading } from '../../ui/PageHeading';
import { TextField } from '../../ui/TextField';
import { useForm, type FieldErrorKeys } from '../../ui/use_form';
import '../errors/errors.css';
import { AccountRequired } from './AccountRequired';
import { recallGuestName, rememberGuestName } from './guest_name';
import { joinOrAccountRequired } from './join';
import { JoinFormEnd } from './JoinFormEnd';

type AccessField = 'key' | 'display_name';
const ORDER: readonly AccessField[] = ['key', 'display_name'];
const RULES = { display_name: 'validation.guestName.rules' } as const;

export interface RoomAccessPageProps {
  slug: string;
  /** The room's title, host and kind of key, from the server's 403; null when it sent none. */
  door: RoomDoor | null;
  /** From a "link with key" (`#key=…`): prefilled, and sent at once for logged-in people. */
  initialKey: string | null;
  loggedIn: boolean;
  onJoined(room: Room): void;
}

/**
 * The door of a private room: an invitation, not an error. The room's title and host, what to enter
 * (its password or access key, with a "show" toggle), and a name for guests. The server answers the
 * page itself with 403; the person sees no error code.
 */
export function RoomAccessPage({ slug, door, initialKey, loggedIn, onJoined }: RoomAccessPageProps) {
  const { t } = useI18n();
  useDocumentTitle(door ? door.title : t('room.private.title'));
  const [shown, setShown] = useState(false);
  const { rooms } = useServices();
  const announce = useAnnounce();
  const form = useForm(ORDER, RULES);
  const [key, setKey] = useState(initialKey ?? '');
  const [name, setName] = useState(() => (loggedIn ? '' : recallGuestName()));
  const autoTried = useRef(false);
  const [accountRequired, setAccountRequired] = useState(false);

  function submit(keyValue: string) {
    const errors: FieldErrorKeys<AccessField> = {};
    if (keyValue.trim() === '') errors.key = 'error.roomKeyRequired';
    if (!loggedIn) {
      const n = checkGuestName(name);
      if (n) errors.display_name = n;
    }
    void form.submit(errors, async () => {
      const joined = await joinOrAccountRequired(() =>
        rooms.join(slug, loggedIn ? { key: keyValue.trim() } : { key: keyValue.trim(), display_name: name.trim() }),
      );
      if (!joined) return setAccountRequired(true);
      if (joined.guest) rememberGuestName(joined.display_name);
      announce(t('announce.joined', { title: joined.room.title }));
      onJoined(joined.room);
    });
  }

  // A logged-in person who followed a link with the key gets in without typing anything.
  useEffect(() => {
    if (!initialKey || !loggedIn || autoTried.current) return;
    autoTried.current = true;
    submit(initialKey);
  });

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    submit(key);
  }

  const kind = door?.protected_by;
  const keyLabel = kind === 'password' ? t('field.roomPassword') : kind === 'access_key' ? t('field.accessKey') : t('field.roomKey');
  const body = kind === 'password' ? t('room.door.password') : kind === 'access_key' ? t('room.door.accessKey') : t('room.private.body');
  return (
    <section className="error-page room-door card">
      <p className="room-door-badge">{t('room.door.badge')}</p>
      <PageHeading>{door ? door.title : t('room.private.title')}</PageHeading>
      {door && <p className="room-door-host">{t('room.door.host', { name: door.host.display_name })}</p>}
      <p className="room-door-body">{body}</p>
      {accountRequired ? (
        <AccountRequired slug={slug} />
      ) : (
        <form className="access-form" noValidate aria-label={t('room.private.form')} onSubmit={onSubmit}>
          <TextField
            ref={form.bind('key')}
            label={keyLabel}
            hint={t('field.roomKey.hint')}
            name="room_key"
            type={shown ? 'text' : 'password'}
            autoComplete="off"
            autoCapitalize="none"
            autoCorrect="off"
            spellCheck={false}
            required
            value={key}
            error={form.fieldError('key')}
            onChange={(e) => {
              setKey(e.target.value);
              form.clearField('key');
            }}
          />
          <label className="room-door-show">
            <input type="checkbox" checked={shown} onChange={(e) => setShown(e.target.checked)} />
            {t(kind === 'access_key' ? 'room.door.showKey' : 'room.door.showPassword')}
          </label>
          <JoinFormEnd form={form} guestName={loggedIn ? null : { value: name, set: setName }} />
        </form>
      )}
      <p className="room-door-home">
        <Link to="/">{t('errors.backHome')}</Link>
      </p>
    </section>
  );
}
