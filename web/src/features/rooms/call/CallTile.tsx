import { useEffect, useEffectEvent, useRef } from 'react';
import { useI18n } from '../../../app/services';
import type { MediaStreamLike } from '../../../core/call/call_types';
import { initials, type TileModel } from './call_layout';
import { CallIcon } from './icons';

/** Plays a stream on a muted `<video>` (sound goes through StreamAudio, so autoplay is never blocked). */
function StreamVideo({ stream, mirrored }: { stream: MediaStreamLike | null; mirrored: boolean }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.muted = true;
    el.srcObject = stream as MediaStream | null;
    if (stream) el.play().catch(() => {}); // muted video may always play; a race with unmount is harmless
  }, [stream]);
  return <video ref={ref} className={mirrored ? 'call-video call-video-mirrored' : 'call-video'} autoPlay playsInline muted aria-hidden="true" />;
}

export interface StreamAudioProps {
  stream: MediaStreamLike;
  /** Bumped after the person clicked "turn on call sound": try to play again. */
  unblock: number;
  onBlocked(): void;
}

/** One participant's sound. A browser that wants a click first reports it through `onBlocked`. */
function StreamAudio({ stream, unblock, onBlocked }: StreamAudioProps) {
  const ref = useRef<HTMLAudioElement>(null);
  const reportBlocked = useEffectEvent(onBlocked);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (el.srcObject !== stream) el.srcObject = stream as MediaStream;
    el.play().catch((e: unknown) => {
      if (e instanceof DOMException && e.name === 'NotAllowedError') reportBlocked();
    });
  }, [stream, unblock]);
  return <audio ref={ref} autoPlay />;
}

export interface CallTileProps {
  tile: TileModel;
  /** A person without a camera: one line (mic state and name) in the people list, not a video tile. */
  compact?: boolean;
  unblock: number;
  onSoundBlocked(): void;
}

/** One person in the call: their video (or initials), name, muted-microphone mark and speaking ring. */
export function CallTile({ tile, unblock, onSoundBlocked, compact = false }: CallTileProps) {
  const { t } = useI18n();
  const classes = [compact ? 'call-person' : 'call-tile'];
  if (!compact && tile.featured) classes.push('call-tile-featured');
  if (!compact && tile.self) classes.push('call-tile-self');
  return (
    <li
      className={classes.join(' ')}
      data-testid="call-tile"
      data-participant-id={tile.id}
      data-self={tile.self ? 'true' : 'false'}
      data-camera={tile.camera ? 'on' : 'off'}
      data-mic={tile.mic ? 'on' : 'off'}
      data-talking={tile.talking ? 'true' : 'false'}
    >
      {!compact && tile.camera && <StreamVideo stream={tile.stream} mirrored={tile.self} />}
      {/* Camera on but its video not here yet: the initials. */}
      {!compact && (!tile.camera || !tile.stream) && (
        <span className={tile.camera ? 'call-avatar call-avatar-waiting' : 'call-avatar'} aria-hidden="true">
          {initials(tile.name)}
        </span>
      )}
      {!tile.self && tile.stream && <StreamAudio stream={tile.stream} unblock={unblock} onBlocked={onSoundBlocked} />}
      <span className={compact ? 'call-person-label' : 'call-tile-label'}>
        {!tile.mic && (
          <span className="call-tile-muted" role="img" aria-label={t('call.micOff')}>
            <CallIcon name="micOff" className="call-tile-icon" />
          </span>
        )}
        {compact && tile.mic && (
          <span className="call-person-mic" role="img" aria-label={t('call.micOn')}>
            <CallIcon name="mic" className="call-tile-icon" />
          </span>
        )}
        <span className="call-tile-name">{tile.name}</span>
        {tile.self && <span className="call-tile-you">{t('people.you')}</span>}
      </span>
    </li>
  );
}
