import { useCallback, useEffect, useRef, useState } from 'react';
import { useI18n } from '../../../app/services';
import { attachHls, type HlsClass } from '../../../core/hls_attach';
import type { PlaybackSession } from '../../../core/sync/playback_session';
import { SEEK_STEP_S, type PlayerKey } from '../../../core/sync/playback_text';
import { Button } from '../../../ui/Button';
import { PlayerControls, type PlayerActions } from '../player/PlayerControls';
import { ShortcutsDialog } from '../player/ShortcutsDialog';
import { useMediaState } from '../player/use_media_state';
import { usePlaybackView, useSyncDebug } from '../player/use_playback';
import { usePlaybackToasts } from '../player/use_playback_toasts';
import { useFullscreen, usePlayerKeys } from '../player/use_player_keys';
import '../player/player.css';

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
  /** The room's shared playback; without it the controls do nothing. */
  playback?: PlaybackSession | null;
}

/** Within this of the end, "play" starts over from the beginning. */
const END_S = 0.5;

/**
 * The room's video with Kino's own controls. Everyone follows one shared state: the controls send
 * intents, the session moves this element when the server's state takes effect.
 */
export function VideoPlayer({ src, poster, title, playback = null }: VideoPlayerProps) {
  const { t } = useI18n();
  const [video, setVideo] = useState<HTMLVideoElement | null>(null);
  const frame = useRef<HTMLDivElement>(null);
  const [attempt, setAttempt] = useState(0);
  // A fatal error of one attachment (this source, this attempt); a new one starts without it.
  const [failure, setFailure] = useState<{ src: string; attempt: number; reason: string } | null>(null);
  const failed = failure && failure.src === src && failure.attempt === attempt ? failure.reason : null;
  const [help, setHelp] = useState(false);
  const view = usePlaybackView(playback);
  const media = useMediaState(video);
  const toast = usePlaybackToasts(playback);
  const fullscreen = useFullscreen(frame);
  useSyncDebug(playback, video);

  useEffect(() => {
    if (!video) return;
    let cancelled = false;
    let detach = () => {};
    void loadHls().then((Hls) => {
      if (cancelled) return;
      detach = attachHls(video, src, Hls, { onFatal: (reason) => setFailure({ src, attempt, reason }) }).detach;
    });
    return () => {
      cancelled = true;
      detach();
    };
  }, [video, src, attempt]);

  useEffect(() => {
    if (!playback || !video) return;
    return playback.attach(video);
  }, [playback, video]);

  const duration = media.duration;
  const clampPosition = (p: number) => Math.max(0, Number.isFinite(duration) ? Math.min(duration, p) : p);
  const actions: PlayerActions = {
    toggle() {
      if (!playback) return;
      if (view.state?.status === 'playing') {
        playback.control('pause');
        return;
      }
      const at = playback.position() ?? 0;
      playback.control('play', Number.isFinite(duration) && at >= duration - END_S ? { position_s: 0 } : {});
    },
    seekTo: (p) => void playback?.control('seek', { position_s: clampPosition(p) }),
    setMuted: (muted) => void playback?.control('mute', { muted }),
    setVolume: (volume) => void playback?.control('volume', { volume }),
    setRate: (rate) => void playback?.control('rate', { rate }),
    setPersonal: (volume) => playback?.setPersonalVolume(volume),
    setPersonalMuted: (muted) => playback?.setPersonalMuted(muted),
    setPolicy: (patch) => void playback?.setPolicy(patch),
  };

  usePlayerKeys(playback !== null, (key: PlayerKey) => {
    const here = playback?.position() ?? video?.currentTime ?? 0;
    if (key === 'toggle') actions.toggle();
    else if (key === 'back') actions.seekTo(here - SEEK_STEP_S);
    else if (key === 'forward') actions.seekTo(here + SEEK_STEP_S);
    else if (key === 'mute') actions.setMuted(!(view.state?.muted ?? false));
    else if (key === 'fullscreen') fullscreen.toggle();
    else if (key === 'help') setHelp(true);
  });
  const closeHelp = useCallback(() => setHelp(false), []);

  const stalled = media.waiting && view.state?.status === 'playing';
  return (
    <div className="player-frame" ref={frame}>
      <div className="video-frame">
        <video
          ref={setVideo}
          className="video"
          playsInline
          preload="auto"
          poster={poster}
          aria-label={t('player.video', { title })}
          data-testid="room-video"
          onClick={actions.toggle}
        />
        {toast && (
          <div className="player-toast" key={toast.id} data-testid="player-toast">
            {toast.text}
          </div>
        )}
        {stalled && !failed && (
          <div className="player-stalled">
            <span className="spinner" aria-hidden="true" />
            <span className="visually-hidden">{t('player.buffering')}</span>
          </div>
        )}
        {view.blocked && !failed && (
          <div className="player-blocked">
            <p>{t('player.blocked')}</p>
            <Button onClick={() => playback?.unblock()}>{t('player.start')}</Button>
          </div>
        )}
        {failed && (
          <div className="video-failure" role="alert">
            <p>{failed === 'unsupported' ? t('player.unsupported') : t('player.failed')}</p>
            {failed !== 'unsupported' && (
              <Button variant="secondary" onClick={() => setAttempt((a) => a + 1)}>
                {t('player.retry')}
              </Button>
            )}
          </div>
        )}
      </div>
      <PlayerControls view={view} media={media} actions={actions} fullscreen={fullscreen} onHelp={() => setHelp(true)} />
      <ShortcutsDialog open={help} onClose={closeHelp} />
    </div>
  );
}
