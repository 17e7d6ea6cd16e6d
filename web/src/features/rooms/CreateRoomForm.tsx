import { useState, type FormEvent } from 'react';
import { useAnnounce, useI18n, useServices } from '../../app/services';
import {
  DEFAULT_DURATION,
  DESCRIPTION_MAX,
  DURATION_MAX,
  DURATION_MIN,
  ROOM_FIELD_RULES,
  TITLE_MAX,
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
import { TextArea } from '../../ui/TextArea';
import { TextField } from '../../ui/TextField';
import { useForm } from '../../ui/use_form';
import { AccessFields } from './AccessFields';
import { StartTimeField } from './StartTimeField';

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
  const [values, setValues] = useState<RoomFormValues>(EMPTY);

  function update<K extends keyof RoomFormValues>(key: K, field: RoomField | null, value: RoomFormValues[K]) {
    setValues((v) => ({ ...v, [key]: value }));
    if (field) form.clearField(field);
  }

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
        <TextField
          ref={form.bind('title')}
          label={t('field.title')}
          hint={t('field.title.hint')}
          name="title"
          autoComplete="off"
          required
          maxLength={TITLE_MAX * 2}
          value={values.title}
          error={form.fieldError('title')}
          onChange={(e) => update('title', 'title', e.target.value)}
        />
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
        <StartTimeField
          ref={form.bind('starts_at')}
          value={values.starts_local}
          error={form.fieldError('starts_at')}
          onChange={(v) => update('starts_local', 'starts_at', v)}
        />
        <TextField
          ref={form.bind('duration_minutes')}
          className="field-narrow"
          label={t('field.duration')}
          hint={t('field.duration.hint', { min: DURATION_MIN, max: DURATION_MAX })}
          name="duration_minutes"
          type="number"
          inputMode="numeric"
          min={DURATION_MIN}
          max={DURATION_MAX}
          step={1}
          value={values.duration}
          error={form.fieldError('duration_minutes')}
          onChange={(e) => update('duration', 'duration_minutes', e.target.value)}
        />
        <TextArea
          ref={form.bind('description')}
          label={t('field.description')}
          hint={t('field.description.hint', { max: DESCRIPTION_MAX })}
          name="description"
          rows={4}
          maxLength={DESCRIPTION_MAX * 2}
          value={values.description}
          error={form.fieldError('description')}
          onChange={(e) => update('description', 'description', e.target.value)}
        />
        <FormAlert message={form.generalError} />
        <Button type="submit" size="lg" className="room-submit" busy={form.busy}>
          {form.busy ? t('create.submitting') : t('create.submit')}
        </Button>
      </form>
    </section>
  );
}
