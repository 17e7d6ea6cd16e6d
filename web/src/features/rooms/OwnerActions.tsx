import { useAnnounce, useI18n, useServices } from '../../app/services';
import { errorText } from '../../core/error_text';
import type { Room } from '../../core/rooms_api';
import { Button } from '../../ui/Button';
import { ConfirmButton } from '../../ui/ConfirmButton';

export interface OwnerActionsProps {
  room: Room;
  onChange(room: Room): void;
  /** Scheduled rooms: open the edit form. */
  onEdit?: () => void;
}

/** The owner's controls: Edit and Cancel room before the start, End room while live. Both ask first. */
export function OwnerActions({ room, onChange, onEdit }: OwnerActionsProps) {
  const { t } = useI18n();
  const { rooms } = useServices();
  const announce = useAnnounce();
  const scheduled = room.status === 'scheduled';

  async function end() {
    try {
      const ended = await rooms.end(room.slug);
      announce(t(scheduled ? 'announce.roomCancelled' : 'announce.roomEnded'));
      onChange(ended);
    } catch (e) {
      const text = errorText(e);
      announce(t(text.key, text.params), 'alert');
    }
  }

  return (
    <div className="owner-actions" role="group" aria-label={t('room.ownerTools')}>
      {scheduled && onEdit && (
        <Button variant="secondary" onClick={onEdit}>
          {t('room.edit')}
        </Button>
      )}
      <ConfirmButton
        label={scheduled ? t('room.cancel') : t('room.end')}
        question={scheduled ? t('room.cancel.question') : t('room.end.question')}
        confirmLabel={scheduled ? t('room.cancel.confirm') : t('room.end.confirm')}
        keepLabel={scheduled ? t('room.cancel.keep') : t('room.end.keep')}
        busyLabel={scheduled ? t('room.cancel.busy') : t('room.end.busy')}
        onConfirm={end}
      />
    </div>
  );
}
