import { useId, useRef, useState } from 'react';
import { useI18n } from '../../../app/services';
import type { PlaybackPolicy, PlaybackView } from '../../../core/sync/playback_session';
import { formatClock } from '../../../core/sync/playback_text';
import { useDismiss } from '../../../ui/dismiss';
import { Icon } from './icons';
import { PolicySettings, PolicyToggle } from './PolicySettings';
import { SeekBar } from './SeekBar';
import type { MediaSnapshot } from './use_media_state';
import type { Fullscreen } from './use_player_keys';
import { VolumeControls } from './VolumeControls';

const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2];

export interface PlayerActions {
  toggle(): void;
  seekTo(position: number): void;
  setMuted(muted: boolean): void;
  setVolume(volume: number): void;
  setRate(rate: number): void;
  setPersonal(volume: number): void;
  setPersonalMuted(muted: boolean): void;
  setPolicy(patch: Partial<PlaybackPolicy>): void;
}

export interface PlayerControlsProps {
  view: PlaybackView;
  media: MediaSnapshot;
  actions: PlayerActions;
  fullscreen: Fullscreen;
  onHelp(): void;
}

/**
 * Kino's own controls under the video: everything here acts for the whole room except my mute and
 * volume. In a host-only room a guest sees the shared controls disabled, with the reason next to them.
 */
export function PlayerControls({ view, media, actions, fullscreen, onHelp }: PlayerControlsProps) {
  const { t, locale } = useI18n();
  const baseId = useId();
  const settingsId = `${baseId}-settings`;
  const lockedBy = view.policy.control === 'host' && !view.isOwner && view.ready ? `${baseId}-locked` : undefined;
  const [settingsOpen, setSettingsOpen] = useState(false);
  const toggleRef = useRef<HTMLDivElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  // Escape returns focus to the settings button; a press elsewhere leaves focus where it went.
  useDismiss(settingsOpen, [panelRef, toggleRef], (why) => {
    setSettingsOpen(false);
    if (why === 'escape') toggleRef.current?.querySelector('button')?.focus();
  });
  const state = view.state;
  const playing = state?.status === 'playing';
  const rate = state?.rate ?? 1;
  const speeds = SPEEDS.includes(rate) ? SPEEDS : [...SPEEDS, rate].sort((a, b) => a - b);
  return (
    <div className="player-controls" role="group" aria-label={t('player.controls')}>
      <div className="player-seek-row">
        <span className="player-time">{formatClock(media.currentTime)}</span>
        <SeekBar current={media.currentTime} duration={media.duration} buffered={media.buffered} onSeek={actions.seekTo} lockedBy={lockedBy} />
        <span className="player-time">{formatClock(media.duration)}</span>
      </div>
      <div className="player-bar">
        <div className="player-bar-start">
          <button
            type="button"
            className="player-btn player-btn-main"
            aria-label={playing ? t('player.pause') : t('player.play')}
            disabled={lockedBy !== undefined}
            aria-describedby={lockedBy}
            onClick={actions.toggle}
          >
            <Icon name={playing ? 'pause' : 'play'} />
          </button>
        </div>
        <VolumeControls
          volume={state?.volume ?? 1}
          muted={state?.muted ?? false}
          onVolume={actions.setVolume}
          onMute={actions.setMuted}
          personal={view.personal.volume}
          personalMuted={view.personal.muted}
          onPersonal={actions.setPersonal}
          onPersonalMute={actions.setPersonalMuted}
          lockedBy={lockedBy}
        />
        <div className="player-bar-end">
          <select
            className="player-speed"
            aria-label={t('player.speed')}
            value={String(rate)}
            disabled={lockedBy !== undefined}
            aria-describedby={lockedBy}
            onChange={(e) => actions.setRate(Number(e.currentTarget.value))}>
            {speeds.map((s) => (
              <option key={s} value={String(s)}>
                {`${s.toLocaleString(locale)}×`}
              </option>
            ))}
          </select>
          {view.isOwner && (
            <div className="player-toggle" ref={toggleRef}>
              <PolicyToggle open={settingsOpen} panelId={settingsId} onToggle={() => setSettingsOpen((o) => !o)} />
            </div>
          )}
          <button type="button" className="player-btn" aria-label={t('player.shortcuts')} aria-haspopup="dialog" onClick={onHelp}>
            <Icon name="keyboard" />
          </button>
          {fullscreen.supported && (
            <button
              type="button"
              className="player-btn"
              aria-label={fullscreen.active ? t('player.exitFullscreen') : t('player.fullscreen')}
              onClick={fullscreen.toggle}
            >
              <Icon name={fullscreen.active ? 'exitFullscreen' : 'fullscreen'} />
            </button>
          )}
        </div>
      </div>
      {lockedBy && (
        <p id={lockedBy} className="player-note">
          {t('player.hostOnly')}
        </p>
      )}
      {view.isOwner && <PolicySettings id={settingsId} open={settingsOpen} policy={view.policy} onChange={actions.setPolicy} panelRef={panelRef} />}
    </div>
  );
}
