import { useI18n } from '../../app/services';
import { ROOM_PASSWORD_MAX, ROOM_PASSWORD_MIN, type AccessMode } from '../../core/room_validation';
import type { Visibility } from '../../core/rooms_api';
import { RadioGroup } from '../../ui/RadioGroup';
import { TextField } from '../../ui/TextField';

export interface AccessFieldsProps {
  visibility: Visibility;
  access: AccessMode;
  password: string;
  visibilityError: string | undefined;
  passwordError: string | undefined;
  bindVisibility(el: HTMLInputElement | null): void;
  bindPassword(el: HTMLInputElement | null): void;
  onVisibility(v: Visibility): void;
  onAccess(a: AccessMode): void;
  onPassword(p: string): void;
}

/** Public or private; for a private room, a password of one's own or a generated access key. */
export function AccessFields({
  visibility,
  access,
  password,
  visibilityError,
  passwordError,
  bindVisibility,
  bindPassword,
  onVisibility,
  onAccess,
  onPassword,
}: AccessFieldsProps) {
  const { t } = useI18n();
  return (
    <>
      <RadioGroup<Visibility>
        legend={t('field.visibility')}
        name="visibility"
        value={visibility}
        error={visibilityError}
        firstRef={bindVisibility}
        onChange={onVisibility}
        options={[
          { value: 'public', label: t('field.visibility.public'), description: t('field.visibility.public.hint') },
          { value: 'private', label: t('field.visibility.private'), description: t('field.visibility.private.hint') },
        ]}
      />
      {visibility === 'private' && (
        <div className="access-box">
          <RadioGroup<AccessMode>
            legend={t('field.access')}
            name="access"
            value={access}
            onChange={onAccess}
            options={[
              { value: 'key', label: t('field.access.key'), description: t('field.access.key.hint') },
              { value: 'password', label: t('field.access.password'), description: t('field.access.password.hint') },
            ]}
          />
          {access === 'password' && (
            <TextField
              ref={bindPassword}
              label={t('field.roomPassword')}
              hint={t('field.roomPassword.hint', { min: ROOM_PASSWORD_MIN, max: ROOM_PASSWORD_MAX })}
              name="room_password"
              type="password"
              autoComplete="new-password"
              required
              maxLength={ROOM_PASSWORD_MAX * 2}
              value={password}
              error={passwordError}
              onChange={(e) => onPassword(e.target.value)}
            />
          )}
        </div>
      )}
    </>
  );
}
