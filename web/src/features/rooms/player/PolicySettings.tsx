import { useEffect, useState, type RefObject } from 'react';
import { useI18n } from '../../../app/services';
import type { BufferingPolicy, ControlPolicy, PlaybackPolicy } from '../../../core/sync/playback_session';
import { RadioGroup } from '../../../ui/RadioGroup';
import { Icon } from './icons';

export interface PolicyToggleProps {
  open: boolean;
  panelId: string;
  onToggle(): void;
}

/** The host's "Playback settings" button (a disclosure for the panel below). */
export function PolicyToggle({ open, panelId, onToggle }: PolicyToggleProps) {
  const { t } = useI18n();
  return (
    <button type="button" className="player-btn" aria-label={t('player.settings')} aria-expanded={open} aria-controls={panelId} onClick={onToggle}>
      <Icon name="settings" />
    </button>
  );
}

export interface PolicySettingsProps {
  id: string;
  open: boolean;
  policy: PlaybackPolicy;
  onChange(patch: Partial<PlaybackPolicy>): void;
  /** The panel's element (for closing it on a press outside). */
  panelRef?: RefObject<HTMLDivElement | null>;
}

/** A choice shows at once; the server's answer (room.policy) replaces it, or it lapses after this. */
const PENDING_MS = 3_000;

/**
 * The host's playback rules: who may control playback, and what happens while someone buffers. Shown
 * under the controls (never over the video); PlayerControls closes it on Escape and a press outside.
 */
export function PolicySettings({ id, open, policy, onChange, panelRef }: PolicySettingsProps) {
  const { t } = useI18n();
  const [pending, setPending] = useState<Partial<PlaybackPolicy>>({});
  const [policySeen, setPolicySeen] = useState(policy);
  if (policy !== policySeen) {
    setPolicySeen(policy);
    setPending({});
  }
  useEffect(() => {
    if (Object.keys(pending).length === 0) return;
    const timer = window.setTimeout(() => setPending({}), PENDING_MS);
    return () => window.clearTimeout(timer);
  }, [pending]);
  const shown = { ...policy, ...pending };
  const choose = (patch: Partial<PlaybackPolicy>) => {
    setPending((p) => ({ ...p, ...patch }));
    onChange(patch);
  };
  return (
    <div ref={panelRef} id={id} className="player-settings" role="group" aria-label={t('player.settings')} hidden={!open}>
      <RadioGroup<ControlPolicy>
        legend={t('player.policy.control')}
        name={`${id}-control`}
        value={shown.control}
        options={[
          { value: 'everyone', label: t('player.policy.everyone') },
          { value: 'host', label: t('player.policy.host') },
        ]}
        onChange={(control) => choose({ control })}
      />
      <RadioGroup<BufferingPolicy>
        legend={t('player.policy.buffering')}
        name={`${id}-buffering`}
        value={shown.buffering}
        options={[
          { value: 'catch_up', label: t('player.policy.catchUp') },
          { value: 'wait_for_all', label: t('player.policy.waitForAll') },
        ]}
        onChange={(buffering) => choose({ buffering })}
      />
    </div>
  );
}
