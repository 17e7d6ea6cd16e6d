import { useI18n } from '../../app/services';
import { GUEST_NAME_MAX } from '../../core/room_validation';
import { Button } from '../../ui/Button';
import { FormAlert } from '../../ui/FormAlert';
import { TextField } from '../../ui/TextField';

/** What this reads of a join form's `useForm` state; the form has a 'display_name' field. */
export interface JoinFormState {
  busy: boolean;
  generalError: string | null;
  bind(field: 'display_name'): (el: HTMLInputElement | null) => void;
  fieldError(field: 'display_name'): string | undefined;
  clearField(field: 'display_name'): void;
}

export interface JoinFormEndProps {
  form: JoinFormState;
  /** The guest's name and its setter; null for logged-in people, who join under their account's name. */
  guestName: { value: string; set(value: string): void } | null;
}

/** The end both join forms share (room page and private-room access page): guest name, form error, join button. */
export function JoinFormEnd({ form, guestName }: JoinFormEndProps) {
  const { t } = useI18n();
  return (
    <>
      {guestName && (
        <TextField
          ref={form.bind('display_name')}
          label={t('field.guestName')}
          hint={t('field.guestName.hint', { max: GUEST_NAME_MAX })}
          name="display_name"
          autoComplete="nickname"
          required
          maxLength={GUEST_NAME_MAX * 2}
          value={guestName.value}
          error={form.fieldError('display_name')}
          onChange={(e) => {
            guestName.set(e.target.value);
            form.clearField('display_name');
          }}
        />
      )}
      <FormAlert message={form.generalError} />
      <Button type="submit" busy={form.busy}>
        {form.busy ? t('room.join.submitting') : t('room.join.submit')}
      </Button>
    </>
  );
}
