import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useAnnounce, useI18n, useServices } from '../../app/services';
import { ApiError } from '../../core/api';
import { ROOM_FIELD_RULES, roomEditPatch, validateRoomEdit, type RoomEditValues } from '../../core/room_validation';
import type { Room } from '../../core/rooms_api';
import { utcToLocalInput } from '../../core/time';
import { Button } from '../../ui/Button';
import { FormAlert } from '../../ui/FormAlert';
import { useForm } from '../../ui/use_form';
import { DescriptionField, DurationField, RoomTitleField } from './RoomDetailFields';
import { StartTimeField } from './StartTimeField';
import { useRoomFormValues } from './use_room_form_values';

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
  const { values, textField } = useRoomFormValues(form, initial);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    heading.current?.focus();
  }, []);

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
        <RoomTitleField {...textField('title', 'title')} />
        <StartTimeField required {...textField('starts_local', 'starts_at')} />
        <DurationField {...textField('duration', 'duration_minutes')} />
        <DescriptionField rows={3} {...textField('description', 'description')} />
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
