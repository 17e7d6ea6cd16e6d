import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../../../app/services';
import { attachHls, type HlsClass } from '../../../core/hls_attach';
import { Button } from '../../../ui/Button';

/** hls.js (light build) is loaded only when a video is shown; it becomes its own same-origin chunk. */
function loadHls(): Promise<HlsClass | null> {
  return import('hls.js/light').then(
    (m) => m.default as unknown as HlsClass,
    () => null,
  );
}

export interface VideoPlayerProps {
  src: string;
  poster?: string | undefined;
  title: string;
}

/** A plain HLS player with the browser's own controls (shared play/pause comes later). */
export function VideoPlayer({ src, poster, title }: VideoPlayerProps) {
  const { t } = useI18n();
  const ref = useRef<HTMLVideoElement>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    let cancelled = false;
    let detach = () => {};
    setFailure(null);
    void loadHls().then((Hls) => {
      if (cancelled) return;
      detach = attachHls(video, src, Hls, { onFatal: (reason) => setFailure(reason) }).detach;
    });
    return () => {
      cancelled = true;
      detach();
    };
  }, [src, attempt]);

  return (
    <div className="video-frame">
      <video
        ref={ref}
        className="video"
        controls
        playsInline
        preload="metadata"
        poster={poster}
        aria-label={t('player.video', { title })}
        data-testid="room-video"
      />
      {failure && (
        <div className="video-failure" role="alert">
          <p>{failure === 'unsupported' ? t('player.unsupported') : t('player.failed')}</p>
          {failure !== 'unsupported' && (
            <Button variant="secondary" onClick={() => setAttempt((a) => a + 1)}>
              {t('player.retry')}
            </Button>
          )}
        </div>
      )}
    </div>
  );
}
