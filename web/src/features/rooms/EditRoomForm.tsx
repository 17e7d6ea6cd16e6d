import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useAnnounce, useI18n, useServices } from '../../app/services';
import { ApiError } from '../../core/api';
import {
  DESCRIPTION_MAX,
  DURATION_MAX,
  DURATION_MIN,
  ROOM_FIELD_RULES,
  TITLE_MAX,
  roomEditPatch,
  validateRoomEdit,
  type RoomEditValues,
} from '../../core/room_validation';
import type { Room } from '../../core/rooms_api';
import { utcToLocalInput } from '../../core/time';
import { Button } from '../../ui/Button';
import { FormAlert } from '../../ui/FormAlert';
import { TextArea } from '../../ui/TextArea';
import { TextField } from '../../ui/TextField';
import { useForm } from '../../ui/use_form';
import { StartTimeField } from './StartTimeField';

const ORDER = ['title', 'starts_at', 'duration_minutes', 'description'] as const;

export interface EditRoomFormProps {
  room: Room;
  onSaved(room: Room): void;
  onClose(): void;
  /** Re-reads the room after a conflict (it started meanwhile). */
  refresh(): Promise<void>;
}

function valuesOf(room: Room): RoomEditValues {
  return {
    title: room.title,
    description: room.description,
    starts_local: utcToLocalInput(room.starts_at),
    duration: String(room.duration_minutes),
  };
}

/** The owner's edit form for a scheduled room: only what changed is sent. */
export function EditRoomForm({ room, onSaved, onClose, refresh }: EditRoomFormProps) {
  const { t } = useI18n();
  const { rooms } = useServices();
  const announce = useAnnounce();
  const form = useForm(ORDER, ROOM_FIELD_RULES);
  const [initial] = useState(() => valuesOf(room));
  const [values, setValues] = useState(initial);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    heading.current?.focus();
  }, []);

  function update<K extends keyof RoomEditValues>(key: K, field: (typeof ORDER)[number], value: string) {
    setValues((v) => ({ ...v, [key]: value }));
    form.clearField(field);
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    void form.submit(validateRoomEdit(values, Date.now()), async () => {
      const patch = roomEditPatch(initial, values);
      if (Object.keys(patch).length === 0) return onClose();
      try {
        const saved = await rooms.update(room.slug, patch);
        announce(t('announce.roomSaved'));
        onSaved(saved);
      } catch (err) {
        if (err instanceof ApiError && (err.code === 'room_started' || err.code === 'room_ended')) {
          // The lobby is about to give way to the live (or ended) room: say why, loudly, then re-read.
          announce(t(err.code === 'room_started' ? 'error.roomStarted' : 'error.roomEnded'), 'alert');
          void refresh();
        }
        throw err;
      }
    });
  }

  return (
    <section className="edit-room card" aria-labelledby="edit-room-title">
      <h2 id="edit-room-title" className="edit-room-title" tabIndex={-1} ref={heading}>
        {t('edit.title')}
      </h2>
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
        <StartTimeField
          ref={form.bind('starts_at')}
          required
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
          rows={3}
          maxLength={DESCRIPTION_MAX * 2}
          value={values.description}
          error={form.fieldError('description')}
          onChange={(e) => update('description', 'description', e.target.value)}
        />
        <FormAlert message={form.generalError} />
        <div className="edit-actions">
          <Button type="submit" busy={form.busy}>
            {form.busy ? t('edit.saving') : t('edit.save')}
          </Button>
          <Button variant="ghost" onClick={onClose}>
            {t('edit.discard')}
          </Button>
        </div>
      </form>
    </section>
  );
}
