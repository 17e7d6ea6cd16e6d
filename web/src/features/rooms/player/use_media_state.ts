import { useEffect, useState } from 'react';

export interface MediaSnapshot {
  currentTime: number;
  duration: number;
  /** Buffered ranges in seconds. */
  buffered: [number, number][];
  /** The element waits for data. */
  waiting: boolean;
}

const EMPTY: MediaSnapshot = { currentTime: 0, duration: Number.NaN, buffered: [], waiting: false };
const EVENTS = ['timeupdate', 'durationchange', 'loadedmetadata', 'progress', 'seeking', 'seeked', 'play', 'pause', 'playing', 'waiting', 'canplay', 'emptied'];

function read(v: HTMLVideoElement, waiting: boolean): MediaSnapshot {
  const buffered: [number, number][] = [];
  for (let i = 0; i < v.buffered.length; i++) buffered.push([v.buffered.start(i), v.buffered.end(i)]);
  return { currentTime: v.currentTime, duration: v.duration, buffered, waiting };
}

/** What the controls show of the element: time, duration, buffered ranges, waiting. */
export function useMediaState(video: HTMLVideoElement | null): MediaSnapshot {
  const [snap, setSnap] = useState<MediaSnapshot>(EMPTY);
  useEffect(() => {
    if (!video) return;
    let waiting = false;
    const update = (e?: Event) => {
      if (e?.type === 'waiting') waiting = true;
      else if (e && (e.type === 'playing' || e.type === 'canplay' || e.type === 'seeked' || e.type === 'pause')) waiting = false;
      setSnap(read(video, waiting));
    };
    for (const e of EVENTS) video.addEventListener(e, update);
    update();
    return () => {
      for (const e of EVENTS) video.removeEventListener(e, update);
    };
  }, [video]);
  return snap;
}
