import type { FormEvent } from 'react';
import { useAnnounce, useI18n, useServices } from '../../app/services';
import {
  DEFAULT_DURATION,
  ROOM_FIELD_RULES,
  VIDEO_URL_MAX,
  roomFormToInput,
  validateRoomForm,
  type RoomField,
  type RoomFormValues,
} from '../../core/room_validation';
import type { CreatedRoom } from '../../core/rooms_api';
import { Button } from '../../ui/Button';
import { FormAlert } from '../../ui/FormAlert';
import { PageHeading } from '../../ui/PageHeading';
import { TextField } from '../../ui/TextField';
import { useForm } from '../../ui/use_form';
import { AccessFields } from './AccessFields';
import { DescriptionField, DurationField, RoomTitleField } from './RoomDetailFields';
import { StartTimeField } from './StartTimeField';
import { useRoomFormValues } from './use_room_form_values';

const ORDER: readonly RoomField[] = ['title', 'video_url', 'visibility', 'password', 'starts_at', 'duration_minutes', 'description'];

const EMPTY: RoomFormValues = {
  title: '',
  video_url: '',
  visibility: 'public',
  access: 'key',
  password: '',
  starts_local: '',
  duration: String(DEFAULT_DURATION),
  description: '',
};

/** The one create-room form; every rule is stated under its field before anyone breaks it. */
export function CreateRoomForm({ onCreated }: { onCreated(created: CreatedRoom): void }) {
  const { t } = useI18n();
  const { rooms } = useServices();
  const announce = useAnnounce();
  const form = useForm(ORDER, ROOM_FIELD_RULES);
  const { values, update, textField } = useRoomFormValues(form, EMPTY);

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    void form.submit(validateRoomForm(values, Date.now()), async () => {
      const created = await rooms.create(roomFormToInput(values));
      announce(t('announce.roomCreated', { title: created.room.title }));
      onCreated(created);
    });
  }

  return (
    <section className="create-card card">
      <PageHeading>{t('create.title')}</PageHeading>
      <p className="create-lead">{t('create.lead')}</p>
      <form className="room-form" noValidate onSubmit={onSubmit}>
        <RoomTitleField {...textField('title', 'title')} />
        <TextField
          ref={form.bind('video_url')}
          label={t('field.videoUrl')}
          hint={t('field.videoUrl.hint')}
          name="video_url"
          type="url"
          inputMode="url"
          autoComplete="url"
          autoCapitalize="none"
          spellCheck={false}
          placeholder="https://"
          required
          maxLength={VIDEO_URL_MAX}
          value={values.video_url}
          error={form.fieldError('video_url')}
          onChange={(e) => update('video_url', 'video_url', e.target.value)}
        />
        <AccessFields
          visibility={values.visibility}
          access={values.access}
          password={values.password}
          visibilityError={form.fieldError('visibility')}
          passwordError={form.fieldError('password')}
          bindVisibility={form.bind('visibility')}
          bindPassword={form.bind('password')}
          onVisibility={(v) => update('visibility', 'visibility', v)}
          onAccess={(a) => update('access', 'password', a)}
          onPassword={(p) => update('password', 'password', p)}
        />
        <StartTimeField {...textField('starts_local', 'starts_at')} />
        <DurationField {...textField('duration', 'duration_minutes')} />
        <DescriptionField rows={4} {...textField('description', 'description')} />
        <FormAlert message={form.generalError} />
        <Button type="submit" size="lg" className="room-submit" busy={form.busy}>
          {form.busy ? t('create.submitting') : t('create.submit')}
        </Button>
      </form>
    </section>
  );
}
