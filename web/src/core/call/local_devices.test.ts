import { describe, expect, it, vi } from 'vitest';
import { CALL, type MediaStreamLike } from './call_types';
import { FakeStream, FakeTrack, joined, withFakeClock } from './call_fakes';

withFakeClock();

describe('call session: local devices', () => {
  it('a chosen device while off is only remembered, and used when turned on', async () => {
    const s = await joined();
    await s.call.chooseDevice('mic', 'mic9');
    expect(s.dev.getUserMedia).not.toHaveBeenCalled();
    await s.call.setDevice('mic', true);
    expect((s.dev.getUserMedia.mock.calls[0]![0].audio as MediaTrackConstraints).deviceId).toEqual({ exact: 'mic9' });
  });

  it('a remembered device that is gone falls back to the default', async () => {
    const s = await joined();
    await s.call.chooseDevice('camera', 'gone');
    s.dev.getUserMedia.mockImplementationOnce(() => Promise.reject(Object.assign(new Error('x'), { name: 'OverconstrainedError' })));
    await s.call.setDevice('camera', true);
    expect(s.dev.getUserMedia).toHaveBeenCalledTimes(2);
    expect(s.call.getView().camera.live).toBe(true);
  });

  it('permission denied or no device: a clear error, the toggle back off, nothing published', async () => {
    const s = await joined();
    s.dev.fail.video = 'NotAllowedError';
    await s.call.setDevice('camera', true);
    expect(s.call.getView().error).toEqual({ device: 'camera', problem: 'denied' });
    expect(s.call.getView().camera).toMatchObject({ wanted: false, live: false, starting: false });
    expect(s.count('publisher')).toBe(0);
    expect(s.ch.of('media.state')).toEqual([]);
    s.dev.fail.audio = 'NotFoundError';
    await s.call.setDevice('mic', true);
    expect(s.call.getView().error).toEqual({ device: 'mic', problem: 'no_device' });
    s.call.dismissError();
    expect(s.call.getView().error).toBeNull();
  });

  it('no camera API (plain http): insecure', async () => {
    const s = await joined({ devices: null });
    await s.call.setDevice('camera', true);
    expect(s.call.getView().error).toEqual({ device: 'camera', problem: 'insecure' });
  });

  it('turning off while the browser still asks drops the late track', async () => {
    const s = await joined();
    let resolve!: (v: MediaStreamLike) => void;
    s.dev.getUserMedia.mockImplementationOnce(() => new Promise<MediaStreamLike>((r) => (resolve = r)));
    const on = s.call.setDevice('camera', true);
    expect(s.call.getView().camera).toMatchObject({ wanted: true, starting: true });
    await s.call.setDevice('camera', false);
    const late = new FakeTrack('video');
    resolve(new FakeStream([late]));
    await on;
    expect(late.stopped).toBe(true);
    expect(s.call.getView().camera.live).toBe(false);
    expect(s.count('publisher')).toBe(0);
  });

  it('a track that ends (device unplugged) turns the device off', async () => {
    const s = await joined();
    await s.call.setDevice('camera', true);
    (s.dev.captured[0] as FakeTrack).end();
    expect(s.call.getView().camera.live).toBe(false);
    expect(s.ch.of('media.state').at(-1)).toEqual({ type: 'media.state', mic: false, camera: false });
  });

  it('measures our own speaking from the microphone level', async () => {
    let level = 0;
    const closeMeter = vi.fn();
    const s = await joined({ meter: () => ({ level: () => level, close: closeMeter }), now: () => Date.now() });
    await s.call.setDevice('mic', true);
    await vi.advanceTimersByTimeAsync(CALL.meterIntervalMs);
    expect(s.call.getView().localTalking).toBe(false);
    level = 0.2;
    await vi.advanceTimersByTimeAsync(CALL.meterIntervalMs);
    expect(s.call.getView().localTalking).toBe(true);
    level = 0;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(s.call.getView().localTalking).toBe(false);
    await s.call.setDevice('mic', false);
    expect(closeMeter).toHaveBeenCalled();
  });

});
