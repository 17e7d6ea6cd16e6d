import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useI18n } from '../../../app/services';
import { placeMessages } from '../../../core/archive_replay';
import type { Room, RoomArchive, Transcript } from '../../../core/rooms_api';
import { Button } from '../../../ui/Button';
import { ArchiveChat } from './ArchiveChat';
import { ArchiveFilm } from './ArchiveFilm';
import { ArchiveRecord } from './ArchiveRecord';
import { useArchive } from './use_archive';
import './archive.css';

export interface ArchiveViewProps {
  room: Room;
  archive: RoomArchive;
  transcript: Transcript;
}

/** An ended session: the film, its chat replayed beside it, who came and what was done to the film. */
export function ArchiveView({ room, archive, transcript }: ArchiveViewProps) {
  const { t } = useI18n();
  const [video, setVideo] = useState<HTMLVideoElement | null>(null);
  const videoRef = useRef<HTMLVideoElement | null>(null);
  const onVideo = useCallback((v: HTMLVideoElement | null) => {
    videoRef.current = v;
    setVideo(v);
  }, []);
  const [position, setPosition] = useState(0);
  const duration = room.media.duration_s ?? undefined;

  const placed = useMemo(() => {
    const timeline = archive.timeline.map((e) => ({ seq: e.seq, at_ms: e.at_ms, playing: e.playing, position_s: e.position_s, rate: e.rate }));
    return placeMessages(
      timeline,
      transcript.messages,
      duration,
    );
  }, [archive.timeline, transcript.messages, duration]);

  useEffect(() => {
    if (!video) return;
    const read = () => setPosition(video.currentTime);
    const events = ['timeupdate', 'seeking', 'seeked', 'loadedmetadata'];
    for (const e of events) video.addEventListener(e, read);
    return () => {
      for (const e of events) video.removeEventListener(e, read);
    };
  }, [video]);

  const jump = useCallback((film_s: number) => {
    const v = videoRef.current;
    if (v) {
      v.currentTime = film_s;
      v.focus();
    }
    setPosition(film_s);
  }, []);

  return (
    <section className="archive" aria-labelledby="archive-title">
      <h2 id="archive-title" className="archive-title">
        {t('archive.title')}
      </h2>
      <div className="archive-stage">
        <ArchiveFilm src={room.media.hls_url} poster={room.media.poster_url} title={room.title} onVideo={onVideo} />
        <ArchiveChat placed={placed} messages={transcript.messages} position={position} onJump={jump} />
      </div>
      <ArchiveRecord archive={archive} messages={transcript.messages} />
    </section>
  );
}

/** Fetches the archive of an ended room and shows it, or what went wrong and what to do. */
export function RoomArchiveSection({ room }: { room: Room }) {
  const { t } = useI18n();
  const { load, retry } = useArchive(room.slug);
  if (load.status === 'loading') {
    return (
      <p className="archive-note" role="status">
        {t('archive.loading')}
      </p>
    );
  }
  if (load.status === 'failed') {
    return (
      <div className="archive-failed" role="alert">
        {load.error.key !== 'error.generic' && <p>{t(load.error.key, load.error.params)}</p>}
        <p>{t('archive.loadFailed')}</p>
        <Button variant="secondary" onClick={retry}>
          {t('archive.retry')}
        </Button>
      </div>
    );
  }
  return <ArchiveView room={load.archive.room} archive={load.archive} transcript={load.transcript} />;
}
