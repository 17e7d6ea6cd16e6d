import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { useAnnounce, useI18n } from '../../app/services';
import { errorText } from '../../core/error_text';
import { ROOM_PASSWORD_MAX, ROOM_PASSWORD_MIN } from '../../core/room_validation';
import { roomPath, type CreatedRoom, type Room } from '../../core/rooms_api';
import { formatShortDateTime } from '../../core/time';
import { Button } from '../../ui/Button';
import { CopyField } from '../../ui/CopyField';
import { TextField } from '../../ui/TextField';
import { KeyShare } from '../rooms/KeyShare';
import { StatusBadge } from '../rooms/RoomFacts';
import { canRekey } from './my_rooms';

export interface MyRoomCardProps {
  room: Room;
  /** The owner asks for a new key: `password`, or null for a generated access key. */
  rotateKey(slug: string, password: string | null): Promise<CreatedRoom>;
}

/**
 * One of my rooms: its title (the link), status, whether it is private, my part in it, when it
 * starts or ended, its short link again; for the owner of a private room, a new access key (shown
 * once) or a new password.
 */
export function MyRoomCard({ room, rotateKey }: MyRoomCardProps) {
  const { t, locale } = useI18n();
  const when =
    room.status === 'scheduled' && room.starts_at
      ? t('mine.startsAt', { when: formatShortDateTime(room.starts_at, locale) })
      : room.status === 'ended' && room.ended_at
        ? t('mine.endedAt', { when: formatShortDateTime(room.ended_at, locale) })
        : null;
  return (
    <li className="my-room card">
      <div className="my-room-head">
        <h3 className="my-room-title">
          <Link to={roomPath(room.slug)}>{room.title}</Link>
        </h3>
        <p className="my-room-facts">
          <StatusBadge status={room.status} />
          {room.visibility === 'private' && <span className="badge badge-private">{t('mine.private')}</span>}
          <span className="my-room-role">{room.is_owner ? t('mine.host') : t('room.hostedBy', { name: room.owner.display_name })}</span>
          {when && <span className="my-room-when">{when}</span>}
        </p>
      </div>
      {room.status !== 'ended' && (
        <CopyField
          label={t('share.shortLink')}
          what={t('mine.linkOf', { title: room.title })}
          value={room.url}
          copiedMessage={t('share.linkCopied')}
        />
      )}
      {canRekey(room) && <NewKey room={room} rotateKey={rotateKey} />}
    </li>
  );
}

function NewKey({ room, rotateKey }: MyRoomCardProps) {
  const { t } = useI18n();
  const announce = useAnnounce();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [rotated, setRotated] = useState<CreatedRoom | null>(null);
  const [password, setPassword] = useState('');
  const [changed, setChanged] = useState(false);
  const byPassword = room.protected_by === 'password';

  async function rotate(next: string | null) {
    setBusy(true);
    setError(null);
    try {
      const r = await rotateKey(room.slug, next);
      setRotated(r);
      setPassword('');
      setChanged(next !== null);
      announce(t(next !== null ? 'mine.passwordChanged' : 'mine.keyChanged'));
    } catch (e) {
      const text = errorText(e);
      setError(t(text.key, text.params));
    } finally {
      setBusy(false);
    }
  }

  function onPassword(e: FormEvent) {
    e.preventDefault();
    const n = [...password].length;
    if (n < ROOM_PASSWORD_MIN || n > ROOM_PASSWORD_MAX) {
      setError(t('field.roomPassword.hint', { min: ROOM_PASSWORD_MIN, max: ROOM_PASSWORD_MAX }));
      return;
    }
    void rotate(password);
  }

  return (
    <div className="my-room-key">
      {byPassword ? (
        <form className="my-room-password" noValidate aria-label={t('mine.newPasswordOf', { title: room.title })} onSubmit={onPassword}>
          <TextField
            label={t('mine.newPassword')}
            hint={t('mine.newKey.hint')}
            type="password"
            autoComplete="new-password"
            value={password}
            error={error ?? undefined}
            onChange={(e) => {
              setPassword(e.target.value);
              setError(null);
            }}
          />
          <Button type="submit" variant="secondary" busy={busy}>
            {t('mine.setPassword')}
          </Button>
        </form>
      ) : (
        <>
          <p className="field-hint">{t('mine.newKey.hint')}</p>
          <Button variant="secondary" busy={busy} aria-label={t('mine.newKeyOf', { title: room.title })} onClick={() => void rotate(null)}>
            {t('mine.newKey')}
          </Button>
          {error && (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
        </>
      )}
      {rotated?.access_key && <KeyShare url={rotated.url} accessKey={rotated.access_key} />}
      {changed && (
        <p className="my-room-changed" role="status">
          {t('mine.passwordChanged')}
        </p>
      )}
    </div>
  );
}
