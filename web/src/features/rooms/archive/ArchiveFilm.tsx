import { useEffect, useState } from 'react';
import { useI18n } from '../../../app/services';
import { attachHls, type HlsClass } from '../../../core/hls_attach';

function loadHls(): Promise<HlsClass | null> {
  return import('hls.js/light').then(
    (m) => m.default as unknown as HlsClass,
    () => null,
  );
}

export interface ArchiveFilmProps {
  src: string | undefined;
  poster?: string | undefined;
  title: string;
  /** The <video> once mounted (null before and after). */
  onVideo(video: HTMLVideoElement | null): void;
}

/** The film of an ended room with the browser's own controls (seekable, keyboard-accessible). */
export function ArchiveFilm({ src, poster, title, onVideo }: ArchiveFilmProps) {
  const { t } = useI18n();
  const [video, setVideo] = useState<HTMLVideoElement | null>(null);
  const [failed, setFailed] = useState<string | null>(null);

  useEffect(() => {
    onVideo(video);
  }, [video, onVideo]);

  useEffect(() => {
    if (!video || !src) return;
    let cancelled = false;
    let detach = () => {};
    void loadHls().then((Hls) => {
      if (cancelled) return;
      detach = attachHls(video, src, Hls, { onFatal: (reason) => setFailed(reason) }).detach;
    });
    return () => {
      cancelled = true;
      detach();
    };
  }, [video, src]);

  if (!src) return <p className="archive-note">{t('archive.noFilm')}</p>;
  return (
    <div className="archive-film">
      <video
        ref={setVideo}
        className="archive-video"
        controls
        playsInline
        preload="metadata"
        poster={poster}
        aria-label={t('archive.video', { title })}
        data-testid="archive-video"
      />
      {failed && (
        <p className="archive-note" role="alert">
          {failed === 'unsupported' ? t('player.unsupported') : t('archive.filmFailed')}
        </p>
      )}
    </div>
  );
}
