import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useAnnounce, useI18n, useServices } from '../../app/services';
import { checkGuestName } from '../../core/room_validation';
import type { Room } from '../../core/rooms_api';
import { TextField } from '../../ui/TextField';
import { useForm, type FieldErrorKeys } from '../../ui/use_form';
import { ForbiddenPage } from '../errors/ForbiddenPage';
import { AccountRequired } from './AccountRequired';
import { recallGuestName, rememberGuestName } from './guest_name';
import { joinOrAccountRequired } from './join';
import { JoinFormEnd } from './JoinFormEnd';

type AccessField = 'key' | 'display_name';
const ORDER: readonly AccessField[] = ['key', 'display_name'];
const RULES = { display_name: 'validation.guestName.rules' } as const;

export interface RoomAccessPageProps {
  slug: string;
  /** From a "link with key" (`#key=…`): prefilled, and sent at once for logged-in people. */
  initialKey: string | null;
  loggedIn: boolean;
  onJoined(room: Room): void;
}

/** The 403 page of a private room, with the form that lets the visitor in: key, and a name for guests. */
export function RoomAccessPage({ slug, initialKey, loggedIn, onJoined }: RoomAccessPageProps) {
  const { t } = useI18n();
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

  return (
    <ForbiddenPage title={t('room.private.title')} body={t('room.private.body')}>
      {accountRequired ? (
        <AccountRequired slug={slug} />
      ) : (
        <form className="access-form" noValidate aria-label={t('room.private.form')} onSubmit={onSubmit}>
          <TextField
            ref={form.bind('key')}
            label={t('field.roomKey')}
            hint={t('field.roomKey.hint')}
            name="room_key"
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
          <JoinFormEnd form={form} guestName={loggedIn ? null : { value: name, set: setName }} />
        </form>
      )}
    </ForbiddenPage>
  );
}
