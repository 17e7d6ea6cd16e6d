import { useEffect, useState } from 'react';
import { useI18n } from '../../app/services';
import { pluralForm, type MessageKey } from '../../core/i18n';
import { remaining, type Remaining } from '../../core/time';

const PARTS: ReadonlyArray<[keyof Remaining & ('days' | 'hours' | 'minutes' | 'seconds'), MessageKey]> = [
  ['days', 'countdown.days'],
  ['hours', 'countdown.hours'],
  ['minutes', 'countdown.minutes'],
  ['seconds', 'countdown.seconds'],
];

/**
 * The current time, re-read exactly when the countdown to `targetMs` next changes (each whole second),
 * and no more once it is reached.
 */
export function useCountdownNow(targetMs: number, initialNow?: number): number {
  const [now, setNow] = useState(() => initialNow ?? Date.now());
  useEffect(() => {
    const left = targetMs - now;
    if (!Number.isFinite(left) || left <= 0) return;
    const delay = (left % 1000 || 1000) + 5;
    const timer = window.setTimeout(() => setNow(Date.now()), delay);
    return () => window.clearTimeout(timer);
  }, [targetMs, now]);
  return now;
}

/** Days, hours, minutes and seconds to the start. A role="timer" region: screen readers do not read every tick. */
export function Countdown({ now, startMs, labelledBy }: { now: number; startMs: number; labelledBy: string }) {
  const { t, locale } = useI18n();
  const r = remaining(now, startMs);
  if (r.done) {
    return (
      <p className="countdown-done" role="timer" aria-labelledby={labelledBy}>
        {t('lobby.startingNow')}
      </p>
    );
  }
  return (
    <div className="countdown" role="timer" aria-labelledby={labelledBy}>
      {PARTS.map(([part, label]) => (
        <div className="countdown-part" key={part}>
          <span className="countdown-value">{r[part]}</span>{' '}
          <span className="countdown-unit">{pluralForm(locale, t(label), r[part])}</span>
        </div>
      ))}
    </div>
  );
}
