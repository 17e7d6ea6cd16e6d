import { useEffect, useRef, useState } from 'react';
import { useAnnounce, useI18n } from '../../../app/services';
import { streamIdentity } from '../../../core/media';
import type { Room } from '../../../core/rooms_api';
import type { PlaybackSession } from '../../../core/sync/playback_session';
import { IngestProgress } from './IngestProgress';
import { useIngest } from './use_ingest';
import { VideoPlayer } from './VideoPlayer';

/** Keeps the first address of a stream while later ones (a renewed signature) point at the same file. */
function useStable(url: string | undefined): string | undefined {
  const [kept, setKept] = useState(url);
  const same = streamIdentity(kept) === streamIdentity(url);
  if (!same) setKept(url);
  return same ? kept : url;
}

/** The "Player" region: the video once it can play, until then how far its preparation is. */
export function PlayerRegion({ room, playback = null }: { room: Room; playback?: PlaybackSession | null }) {
  const { t } = useI18n();
  const ingest = useIngest(room.slug, room.media);
  const { media } = ingest;
  const src = useStable(media.playable ? media.hls_url : undefined);
  const poster = useStable(media.poster_url);
  // Someone waiting for the video hears when it can play.
  const announce = useAnnounce();
  const waited = useRef(!src);
  useEffect(() => {
    if (src && waited.current) announce(t('media.playable'));
    waited.current = !src;
  }, [src, announce, t]);
  return (
    <section className="player" aria-label={t('room.player')}>
      {src ? (
        <>
          <h2 className="visually-hidden">{room.title}</h2>
          <VideoPlayer src={src} poster={poster} title={room.title} playback={playback} />
        </>
      ) : (
        <div className="player-screen">
          <h2 className="player-title">{room.title}</h2>
          <IngestProgress
            media={media}
            isOwner={room.is_owner}
            onRetry={() => void ingest.retry()}
            retrying={ingest.retrying}
            retryError={ingest.retryError}
            place="room"
          />
        </div>
      )}
    </section>
  );
}
