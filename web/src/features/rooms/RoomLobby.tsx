import { useEffect, useId, useRef, useState } from 'react';
import { useI18n } from '../../app/services';
import { calendarUrl, type Room } from '../../core/rooms_api';
import { formatDateTimeWithZone } from '../../core/time';
import { buttonClass } from '../../ui/Button';
import { Countdown, useCountdownNow } from './Countdown';
import { EditRoomForm } from './EditRoomForm';
import { OwnerActions } from './OwnerActions';

/** Once the countdown is over the server flips the room to live; ask again this often until it has. */
const STARTING_RETRY_MS = 5_000;

export interface RoomLobbyProps {
  room: Room;
  onChange(room: Room): void;
  refresh(): Promise<void>;
  /** For server-side renders in tests. */
  initialNow?: number;
}

/** A scheduled room: when it starts (local time), a live countdown, the calendar file, and owner tools. */
export function RoomLobby({ room, onChange, refresh, initialNow }: RoomLobbyProps) {
  const { t, locale } = useI18n();
  const headingId = useId();
  const startMs = room.starts_at ? Date.parse(room.starts_at) : NaN;
  const now = useCountdownNow(startMs, initialNow);
  const done = !Number.isFinite(startMs) || now >= startMs;
  const [editing, setEditing] = useState(false);
  const wasEditing = useRef(false);

  // Leaving the edit form: back to the (maybe renamed) room heading, not to the top of the page.
  useEffect(() => {
    if (wasEditing.current && !editing) document.querySelector<HTMLElement>('[data-page-heading]')?.focus();
    wasEditing.current = editing;
  }, [editing]);

  // At zero, re-read the room (the server makes it live), then keep asking in case the clocks differ.
  useEffect(() => {
    if (!done) return;
    void refresh();
    const timer = window.setInterval(() => void refresh(), STARTING_RETRY_MS);
    return () => window.clearInterval(timer);
  }, [done, refresh]);

  if (editing) {
    return (
      <EditRoomForm
        room={room}
        onSaved={(r) => {
          onChange(r);
          setEditing(false);
        }}
        onClose={() => setEditing(false)}
        refresh={refresh}
      />
    );
  }

  return (
    <section className="lobby card" aria-labelledby={headingId}>
      <h2 id={headingId} className="lobby-title">
        {t('lobby.startsIn')}
      </h2>
      <Countdown now={now} startMs={startMs} labelledBy={headingId} />
      {room.starts_at && (
        <p className="lobby-when">
          {t('lobby.startsAt')} <time dateTime={room.starts_at}>{formatDateTimeWithZone(room.starts_at, locale)}</time>
        </p>
      )}
      <p className="lobby-length">{t('lobby.length', { minutes: room.duration_minutes })}</p>
      <div className="lobby-actions">
        <a className={buttonClass('secondary')} href={calendarUrl(room.slug)} download>
          <svg className="btn-icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
            <rect x="3" y="4.5" width="14" height="12.5" rx="2" />
            <path d="M3 8.5h14M7 3v3M13 3v3M10 11v4M8 13h4" />
          </svg>
          {t('lobby.addToCalendar')}
        </a>
      </div>
      <p className="lobby-note">{t('lobby.note')}</p>
      {room.is_owner && <OwnerActions room={room} onChange={onChange} onEdit={() => setEditing(true)} />}
    </section>
  );
}
