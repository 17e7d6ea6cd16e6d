// The call's icons: decorative (aria-hidden); every control carries its name in text or aria-label.
export type CallIconName = 'mic' | 'micOff' | 'camera' | 'cameraOff' | 'devices' | 'sound';

const PATHS: Record<CallIconName, string> = {
  mic: 'M12 3.5a3 3 0 0 1 3 3v5a3 3 0 0 1-6 0v-5a3 3 0 0 1 3-3zM6 11.5a6 6 0 0 0 12 0M12 17.5v3M9 20.5h6',
  micOff: 'M12 3.5a3 3 0 0 1 3 3v5a3 3 0 0 1-6 0v-5a3 3 0 0 1 3-3zM6 11.5a6 6 0 0 0 12 0M12 17.5v3M9 20.5h6M4 4l16 16',
  camera: 'M3.5 7.5h11v9h-11zM14.5 10.5l6-3.5v10l-6-3.5',
  cameraOff: 'M3.5 7.5h11v9h-11zM14.5 10.5l6-3.5v10l-6-3.5M3 4l17 16',
  devices: 'M4 7h9M17 7h3M15 5v4M4 17h3M11 17h9M9 15v4',
  sound: 'M4 9.5h3.5L12 5.5v13l-4.5-4H4zM15.5 9a4.5 4.5 0 0 1 0 6M18 6.5a8 8 0 0 1 0 11',
};

/** An icon drawn as `.line-icon` (call.css), plus `className` (by default `call-icon`, the call bar's size). */
export function CallIcon({ name, className = 'call-icon' }: { name: CallIconName; className?: string }) {
  return (
    <svg className={`line-icon ${className}`} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d={PATHS[name]} />
    </svg>
  );
}
