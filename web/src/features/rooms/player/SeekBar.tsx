import { useEffect, useEffectEvent, useRef, useState, type KeyboardEvent } from 'react';
import { useI18n } from '../../../app/services';
import { bufferedPieces, formatClock, SEEK_STEP_S } from '../../../core/sync/playback_text';

export interface SeekBarProps {
  /** Where the video is, seconds. */
  current: number;
  duration: number;
  buffered: readonly [number, number][];
  /** A seek the person committed (released the thumb, or a key). */
  onSeek(position: number): void;
  /** Seeking is the host's alone: disabled, described by the element with this id. */
  lockedBy?: string | undefined;
}

/** Custom properties from script: the CSP forbids style attributes, not CSSOM. */
function place(el: HTMLElement | null, props: Record<string, string>) {
  if (!el) return;
  for (const [k, v] of Object.entries(props)) el.style.setProperty(k, v);
}

/**
 * The seek bar: a native range (keyboard and screen readers know it) over a track that draws the
 * buffered ranges and the played part. Dragging previews locally; the seek is sent on release. Arrow
 * keys jump 5 s, Page Up/Down 30 s, Home/End to the ends.
 */
export function SeekBar({ current, duration, buffered, onSeek, lockedBy }: SeekBarProps) {
  const { t } = useI18n();
  const input = useRef<HTMLInputElement>(null);
  const [draft, setDraft] = useState<number | null>(null);
  const known = Number.isFinite(duration) && duration > 0;
  const max = known ? duration : 0;
  const shown = Math.min(max, Math.max(0, draft ?? current));
  const commitDraft = useEffectEvent((el: HTMLInputElement) => {
    const d = draft ?? Number(el.value);
    setDraft(null);
    if (Number.isFinite(d)) onSeek(d);
  });

  // `change` (release, not every move) commits; React's onChange is the native `input` event.
  useEffect(() => {
    const el = input.current;
    if (!el) return;
    const commit = () => commitDraft(el);
    el.addEventListener('change', commit);
    return () => el.removeEventListener('change', commit);
  }, []);

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    const jumps: Record<string, number> = { ArrowLeft: -SEEK_STEP_S, ArrowDown: -SEEK_STEP_S, ArrowRight: SEEK_STEP_S, ArrowUp: SEEK_STEP_S, PageDown: -30, PageUp: 30 };
    let to: number | null = null;
    if (e.key in jumps) to = current + jumps[e.key]!;
    else if (e.key === 'Home') to = 0;
    else if (e.key === 'End') to = max;
    if (to === null || !known) return;
    e.preventDefault();
    onSeek(Math.min(max, Math.max(0, to)));
  }

  const pieces = bufferedPieces(buffered, duration);
  const played = known ? (shown / max) * 100 : 0;
  return (
    <div className="seek">
      <div className="seek-track" aria-hidden="true">
        {pieces.map((p, i) => (
          <div key={i} className="seek-buffered" ref={(el) => place(el, { '--left': `${p.left}%`, '--width': `${p.width}%` })} />
        ))}
        <div className="seek-played" ref={(el) => place(el, { '--width': `${played}%` })} />
      </div>
      <input
        ref={input}
        className="seek-input"
        type="range"
        min={0}
        max={max}
        step="any"
        value={shown}
        disabled={!known || lockedBy !== undefined}
        aria-describedby={lockedBy}
        aria-label={t('player.seek')}
        aria-valuetext={t('player.timeOf', { current: formatClock(shown), duration: formatClock(max) })}
        onChange={(e) => setDraft(Number(e.currentTarget.value))}
        onKeyDown={onKeyDown}
      />
    </div>
  );
}
