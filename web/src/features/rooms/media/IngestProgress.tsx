import { useLayoutEffect, useRef, useState } from 'react';
import { useI18n } from '../../../app/services';
import type { MessageKey } from '../../../core/i18n';
import { MEDIA_STEPS, mediaStep, progressPieces, type Media } from '../../../core/media';
import { Button } from '../../../ui/Button';

export interface IngestProgressProps {
  media: Media;
  isOwner: boolean;
  onRetry(): void;
  retrying: boolean;
  retryError: MessageKey | null;
  /** Where the progress is shown: the room (waiting to watch) or the share panel (just created). */
  place: 'room' | 'share';
}

/**
 * Where the video is on its way to playable: a progress bar with the state, percent and time left;
 * a failure with its reason and, for the owner, "Try again".
 */
export function IngestProgress({ media, isOwner, onRetry, retrying, retryError, place }: IngestProgressProps) {
  const { t } = useI18n();
  const fill = useRef<HTMLDivElement>(null);
  const { state, percent, eta } = progressPieces(media);
  const step = mediaStep(media);
  const stateName = t(state.key);
  const sentence = [percent !== null ? `${stateName} — ${percent}%` : stateName, eta ? t(eta.key, eta.params) : null].filter(Boolean).join(' · ');
  const value = media.state === 'ready' ? 100 : (percent ?? 0);
  const bar = media.state !== 'failed' && media.state !== 'none';
  const note =
    media.state === 'ready'
      ? place === 'share'
        ? t('media.ready.body')
        : null
      : media.state === 'queued'
        ? t('media.queued.body')
        : t(place === 'share' ? 'media.share.body' : 'media.working.body');

  // One number drives the text and the bar: the fill is set to `value` after every render (also when
  // the bar is shown anew), and a fill that shrinks (the next step starts at 0) jumps instead of sliding
  // down under a text that already says 0%. The CSP forbids style attributes; a style set from script is fine.
  const [last, setLast] = useState({ value, grows: true });
  if (last.value !== value) setLast({ value, grows: value > last.value });
  const grows = last.value === value ? last.grows : value > last.value;
  useLayoutEffect(() => {
    fill.current?.style.setProperty('--progress', `${value}%`);
  });

  const retryButton = isOwner && (
    <Button variant="secondary" busy={retrying} onClick={onRetry}>
      {retrying ? t('media.retrying') : t('media.retry')}
    </Button>
  );

  return (
    <div className="ingest" data-state={media.state}>
      {bar && (
        <>
          <div className="ingest-head">
            <p className="ingest-text">{sentence}</p>
            {step !== null && <p className="ingest-step">{t('media.step', { step, total: MEDIA_STEPS })}</p>}
          </div>
          <div
            className="ingest-bar"
            role="progressbar"
            aria-label={t('media.progress')}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={value}
            aria-valuetext={sentence}
          >
            <div className="ingest-fill" ref={fill} data-grows={grows} />
          </div>
          {note && <p className="ingest-note">{note}</p>}
        </>
      )}
      {media.state === 'failed' && (
        <div className="ingest-failed" role="alert">
          <p className="ingest-text">{stateName}</p>
          {media.error && <p className="ingest-error">{media.error}</p>}
          <p className="ingest-note">{t(isOwner ? 'media.failed.owner' : 'media.failed.guest')}</p>
        </div>
      )}
      {media.state === 'none' && (
        <div className="ingest-failed">
          <p className="ingest-text">{stateName}</p>
          <p className="ingest-note">{t(isOwner ? 'media.none.owner' : 'media.none.guest')}</p>
        </div>
      )}
      {(media.state === 'failed' || media.state === 'none') && retryButton}
      <div className="ingest-alert" role="alert">
        {retryError && <p>{t(retryError)}</p>}
      </div>
    </div>
  );
}
