import { useEffect, useEffectEvent, useState } from 'react';
import { useI18n } from '../../../app/services';
import type { CallSession, CallView, DeviceError } from '../../../core/call/call_session';
import type { MessageKey } from '../../../core/i18n';
import type { Participant } from '../../../core/room_protocol';
import { CallControls, type CallActions } from './CallControls';
import { CallTile } from './CallTile';
import { callTiles, gridSize, tileQualities } from './call_layout';
import { useCallDebug, useCallView } from './use_call';
import './call.css';

const ERRORS: Record<DeviceError['problem'], Record<DeviceError['device'], MessageKey>> = {
  denied: { camera: 'call.error.denied.camera', mic: 'call.error.denied.mic' },
  no_device: { camera: 'call.error.noDevice.camera', mic: 'call.error.noDevice.mic' },
  busy: { camera: 'call.error.busy.camera', mic: 'call.error.busy.mic' },
  insecure: { camera: 'call.error.insecure.camera', mic: 'call.error.insecure.mic' },
  failed: { camera: 'call.error.failed.camera', mic: 'call.error.failed.mic' },
};

export interface CallPanelProps {
  /** null until the room's channel exists (or for good where `supported` is false). */
  call: CallSession | null;
  /** This browser has WebRTC; without it the others are still shown, with a notice. */
  supported: boolean;
  participants: readonly Participant[];
  selfId: string | null;
  selfName: string;
  /** The room socket has had its hello (the participants are real). */
  ready: boolean;
}

function statusKey(view: CallView, ready: boolean, supported: boolean): MessageKey | null {
  if (!supported) return 'call.unsupported';
  if (view.status === 'off') return 'call.off';
  if (view.status === 'unavailable') return 'call.unavailable';
  if (view.status === 'connecting' || !ready) return 'call.connecting';
  return null;
}

/**
 * The room's video call: a video tile per camera that is on (you first), everyone else as a compact
 * list of names with their microphone state, the call's status, and the controls. When this server has
 * no video chat it says so and shows nothing else.
 */
export function CallPanel({ call, supported, participants, selfId, selfName, ready }: CallPanelProps) {
  const { t } = useI18n();
  const view = useCallView(call);
  useCallDebug(call);
  const [soundBlocked, setSoundBlocked] = useState(false);
  const [unblock, setUnblock] = useState(0);
  const off = view.status === 'off';
  const everyone = ready && !off ? callTiles({ participants, selfId, selfName, view }) : [];
  const tiles = everyone.filter((tile) => tile.camera);
  const people = everyone.filter((tile) => !tile.camera);
  const status = statusKey(view, ready, supported);
  // Small tiles get a small simulcast layer; the server keeps the choice for later offers.
  const qualities = tileQualities(tiles);
  const qualityKey = [...qualities].map(([id, q]) => `${id}=${q}`).join(',');
  const sendQualities = useEffectEvent(() => {
    if (call && ready) call.setQualities(qualities);
  });
  useEffect(() => {
    sendQualities();
  }, [call, ready, qualityKey]);
  const actions: CallActions | null = call && {
    setDevice: (kind, on) => void call.setDevice(kind, on),
    chooseDevice: (kind, id) => void call.chooseDevice(kind, id),
    refreshDevices: () => void call.refreshDevices(),
  };
  return (
    <section className="call" aria-label={t('call.region')}>
      <div className="call-status" role="status">
        {status && (
          <p className={status === 'call.connecting' ? 'call-notice call-notice-quiet' : 'call-notice'}>
            {status === 'call.connecting' && <span className="spinner call-notice-spinner" aria-hidden="true" />}
            {t(status)}
          </p>
        )}
      </div>
      {view.error && (
        <div className="call-error" role="alert">
          <p>{t(ERRORS[view.error.problem][view.error.device])}</p>
          <button type="button" className="call-error-dismiss" aria-label={t('app.dismiss')} onClick={() => call?.dismissError()}>
            ×
          </button>
        </div>
      )}
      {soundBlocked && (
        <div className="call-sound">
          <p>{t('call.soundBlocked')}</p>
          <button
            type="button"
            className="btn btn-secondary"
            onClick={() => {
              setSoundBlocked(false);
              setUnblock((n) => n + 1);
            }}
          >
            {t('call.sound')}
          </button>
        </div>
      )}
      {tiles.length > 0 && (
        <ul className="call-grid" data-size={gridSize(tiles.length)}>
          {tiles.map((tile) => (
            <CallTile key={tile.id} tile={tile} unblock={unblock} onSoundBlocked={() => setSoundBlocked(true)} />
          ))}
        </ul>
      )}
      {people.length > 0 && (
        <ul className="call-people" aria-label={t('call.people')}>
          {people.map((tile) => (
            <CallTile key={tile.id} tile={tile} compact unblock={unblock} onSoundBlocked={() => setSoundBlocked(true)} />
          ))}
        </ul>
      )}
      {actions && !off && view.devices.noMic && !view.mic.live && <p className="call-notice call-notice-quiet call-nomic">{t('call.noMic')}</p>}
      {actions && !off && <CallControls view={view} actions={actions} />}
    </section>
  );
}
