import { useId, useState } from 'react';
import { useI18n } from '../../../app/services';
import type { CallView, DeviceChoice, DeviceKind, LocalDevice } from '../../../core/call/call_session';
import { CallIcon, type CallIconName } from './icons';

export interface CallActions {
  setDevice(kind: DeviceKind, on: boolean): void;
  chooseDevice(kind: DeviceKind, deviceId: string): void;
  refreshDevices(): void;
}

interface ToggleProps {
  label: string;
  device: LocalDevice;
  on: CallIconName;
  off: CallIconName;
  onToggle(): void;
}

/** A device toggle like Meet's: pressed = on; shows a spinner while the browser starts the device. */
function Toggle({ label, device, on, off, onToggle }: ToggleProps) {
  return (
    <button
      type="button"
      className={device.wanted ? 'call-btn call-btn-on' : 'call-btn call-btn-off'}
      aria-pressed={device.wanted ? 'true' : 'false'}
      onClick={onToggle}
    >
      {device.starting ? <span className="spinner call-btn-spinner" aria-hidden="true" /> : <CallIcon name={device.wanted ? on : off} />}
      <span className="call-btn-label">{label}</span>
    </button>
  );
}

interface DeviceSelectProps {
  id: string;
  label: string;
  choices: readonly DeviceChoice[];
  selected: string | null;
  unnamed: (n: number) => string;
  onChoose(id: string): void;
}

function DeviceSelect({ id, label, choices, selected, unnamed, onChoose }: DeviceSelectProps) {
  const { t } = useI18n();
  const value = choices.some((c) => c.id === selected) ? (selected ?? '') : (choices[0]?.id ?? '');
  return (
    <div className="call-device">
      <label htmlFor={id} className="call-device-label">
        {label}
      </label>
      <select id={id} className="call-device-select" value={value} onChange={(e) => onChoose(e.target.value)}>
        {choices.length === 0 && <option value="">{t('call.defaultDevice')}</option>}
        {choices.map((c, i) => (
          <option key={c.id} value={c.id}>
            {c.label || unnamed(i + 1)}
          </option>
        ))}
      </select>
    </div>
  );
}

export interface CallControlsProps {
  view: CallView;
  actions: CallActions;
}

/** Microphone, camera and the device pickers, in one bar under the grid. */
export function CallControls({ view, actions }: CallControlsProps) {
  const { t } = useI18n();
  const id = useId();
  const [open, setOpen] = useState(false);
  const panelId = `${id}-devices`;
  const { cameras, mics } = view.devices;
  // Browsers name devices only once one was allowed.
  const unnamed = cameras.length === 0 || mics.length === 0 || [...cameras, ...mics].some((c) => !c.label);
  return (
    <div className="call-controls-wrap">
      <div className="call-controls" role="group" aria-label={t('call.controls')}>
        <Toggle label={t('call.mic')} device={view.mic} on="mic" off="micOff" onToggle={() => actions.setDevice('mic', !view.mic.wanted)} />
        <Toggle label={t('call.camera')} device={view.camera} on="camera" off="cameraOff" onToggle={() => actions.setDevice('camera', !view.camera.wanted)} />
        <button
          type="button"
          className="call-btn call-btn-plain"
          aria-expanded={open}
          aria-controls={panelId}
          onClick={() => {
            if (!open) actions.refreshDevices();
            setOpen(!open);
          }}
        >
          <CallIcon name="devices" />
          <span className="call-btn-label">{t('call.devices')}</span>
        </button>
      </div>
      <div id={panelId} className="call-devices" hidden={!open}>
        <DeviceSelect
          id={`${id}-camera`}
          label={t('call.cameraDevice')}
          choices={view.devices.cameras}
          selected={view.camera.deviceId}
          unnamed={(n) => t('call.cameraN', { n })}
          onChoose={(d) => actions.chooseDevice('camera', d)}
        />
        <DeviceSelect
          id={`${id}-mic`}
          label={t('call.micDevice')}
          choices={view.devices.mics}
          selected={view.mic.deviceId}
          unnamed={(n) => t('call.micN', { n })}
          onChoose={(d) => actions.chooseDevice('mic', d)}
        />
        {unnamed && <p className="call-devices-hint">{t('call.devicesHint')}</p>}
      </div>
    </div>
  );
}
