import { useEffect, useId, useRef, useState } from 'react';
import { useI18n } from '../../../app/services';
import { Icon } from './icons';

/** A shared volume drag sends at most this often (everyone gets a state per send). */
const SEND_EVERY_MS = 250;

export interface VolumeControlsProps {
  /** The room's volume and mute (everyone hears them). */
  volume: number;
  muted: boolean;
  onVolume(volume: number): void;
  onMute(muted: boolean): void;
  /** This person's own volume and mute (multiply the room's, stay on this device, sent to nobody). */
  personal: number;
  personalMuted: boolean;
  onPersonal(volume: number): void;
  onPersonalMute(muted: boolean): void;
  /** The shared controls are the host's alone: shown disabled, described by the element with this id. */
  lockedBy?: string | undefined;
}

/** Sends a dragged value now and then, and the last one for sure; shows the drag meanwhile. */
function useThrottledValue(value: number, send: (v: number) => void) {
  // The dragged value: shown while some of it waits to go out, and after that until the room's value
  // moves on from what it was when the last of it went out (the server's answer).
  const [draft, setDraft] = useState<{ v: number; waiting: boolean; valueWhenSent: number } | null>(null);
  const out = useRef({ lastSent: 0, pending: null as number | null, timer: null as number | null, send, value });
  useEffect(() => {
    out.current.send = send;
    out.current.value = value;
  });
  useEffect(() => () => {
    if (out.current.timer !== null) window.clearTimeout(out.current.timer);
  }, []);
  const flush = () => {
    const s = out.current;
    s.timer = null;
    if (s.pending === null) return;
    s.lastSent = Date.now();
    s.send(s.pending);
    setDraft({ v: s.pending, waiting: false, valueWhenSent: s.value });
    s.pending = null;
  };
  return {
    shown: draft && (draft.waiting || value === draft.valueWhenSent) ? draft.v : value,
    change(v: number) {
      const s = out.current;
      s.pending = v;
      setDraft({ v, waiting: true, valueWhenSent: value });
      const wait = s.lastSent + SEND_EVERY_MS - Date.now();
      if (wait <= 0) flush();
      else if (s.timer === null) s.timer = window.setTimeout(flush, wait);
    },
  };
}

const pct = (v: number) => `${Math.round(v * 100)}%`;

/**
 * Two groups: mine (the speaker icon and "My volume", like any video site's: only this device) and the
 * room's (labelled as everyone's: a slider and a "Mute for everyone" button).
 */
export function VolumeControls({ volume, muted, onVolume, onMute, personal, personalMuted, onPersonal, onPersonalMute, lockedBy }: VolumeControlsProps) {
  const { t } = useI18n();
  const id = useId();
  const shared = useThrottledValue(volume, onVolume);
  const locked = lockedBy !== undefined;
  const describe = (hint: string) => (locked ? `${hint} ${lockedBy}` : hint);
  return (
    <div className="player-volume">
      <div className="player-volume-group" data-testid="my-volume">
        <button
          type="button"
          className="player-btn"
          aria-label={personalMuted ? t('player.unmuteMine') : t('player.muteMine')}
          aria-pressed={personalMuted}
          onClick={() => onPersonalMute(!personalMuted)}
        >
          <Icon name={personalMuted || personal === 0 ? 'muted' : 'volume'} />
        </button>
        <span className="player-slider">
          <label htmlFor={`${id}-mine`} className="visually-hidden">
            {t('player.myVolume')}
          </label>
          <input
            id={`${id}-mine`}
            type="range"
            min={0}
            max={1}
            step={0.05}
            value={personal}
            aria-valuetext={pct(personal)}
            title={t('player.myVolume')}
            onChange={(e) => onPersonal(Number(e.currentTarget.value))}
          />
        </span>
      </div>
      <div className="player-volume-group player-volume-shared" role="group" aria-label={t('player.forEveryone')} data-testid="room-volume">
        <span className="player-volume-tag" aria-hidden="true">
          {t('player.forEveryone')}
        </span>
        <span className="player-slider">
          <label htmlFor={`${id}-room`} className="visually-hidden">
            {t('player.volume')}
          </label>
          <input
            id={`${id}-room`}
            type="range"
            min={0}
            max={1}
            step={0.05}
            value={shared.shown}
            disabled={locked}
            aria-valuetext={pct(shared.shown)}
            aria-describedby={describe(`${id}-hint`)}
            onChange={(e) => shared.change(Number(e.currentTarget.value))}
          />
        </span>
        <button
          type="button"
          className="player-btn player-btn-text"
          aria-pressed={muted}
          aria-describedby={describe(`${id}-hint`)}
          disabled={locked}
          onClick={() => onMute(!muted)}
        >
          {muted ? t('player.unmute') : t('player.mute')}
        </button>
        <span id={`${id}-hint`} className="visually-hidden">
          {t('player.volumeHint')}
        </span>
      </div>
    </div>
  );
}
