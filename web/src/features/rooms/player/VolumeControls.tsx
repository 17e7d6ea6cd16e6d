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
  /** This person's own volume (multiplies the room's, stays on this device). */
  personal: number;
  onPersonal(volume: number): void;
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

export function VolumeControls({ volume, muted, onVolume, onMute, personal, onPersonal }: VolumeControlsProps) {
  const { t } = useI18n();
  const id = useId();
  const shared = useThrottledValue(volume, onVolume);
  return (
    <div className="player-volume">
      <div className="player-volume-group">
        <button
          type="button"
          className="player-btn"
          aria-label={muted ? t('player.unmute') : t('player.mute')}
          aria-pressed={muted}
          onClick={() => onMute(!muted)}
        >
          <Icon name={muted || volume === 0 ? 'muted' : 'volume'} />
        </button>
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
            aria-valuetext={pct(shared.shown)}
            aria-describedby={`${id}-hint`}
            title={t('player.volume')}
            onChange={(e) => shared.change(Number(e.currentTarget.value))}
          />
        </span>
        <span id={`${id}-hint`} className="visually-hidden">
          {t('player.volumeHint')}
        </span>
      </div>
      <span className="player-slider">
        <label htmlFor={`${id}-mine`}>{t('player.myVolume')}</label>
        <input
          id={`${id}-mine`}
          type="range"
          min={0}
          max={1}
          step={0.05}
          value={personal}
          aria-valuetext={pct(personal)}
          onChange={(e) => onPersonal(Number(e.currentTarget.value))}
        />
      </span>
    </div>
  );
}
