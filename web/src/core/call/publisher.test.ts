import { describe, expect, it, vi } from 'vitest';
import { CALL } from './call_types';
import { DEVICE_CHOICE_KEY } from './call_session';
import { flush, joined, publishingCamera, setup, withFakeClock } from './call_fakes';

withFakeClock();

describe('call session: publisher', () => {
  it('publishes once, with audio and simulcast video send-only, when the first device is turned on', async () => {
    const s = await joined();
    await s.call.setDevice('camera', true);
    expect(s.dev.getUserMedia).toHaveBeenCalledTimes(1);
    expect(s.dev.getUserMedia.mock.calls[0]![0].video).toBeTruthy();
    expect(s.dev.getUserMedia.mock.calls[0]![0].audio).toBeUndefined();
    await flush();
    const pub = s.pub();
    expect(pub.transceivers.map((t) => [t.kind, t.init?.direction])).toEqual([['audio', 'sendonly'], ['video', 'sendonly']]);
    expect(pub.transceivers[1]!.init?.sendEncodings?.map((e) => [e.rid, e.scaleResolutionDownBy, e.maxBitrate])).toEqual([
      ['h', 1, 900_000],
      ['m', 2, 300_000],
      ['l', 4, 100_000],
    ]);
    expect(pub.transceivers[1]!.sender.track).toBe(s.dev.captured[0]);
    expect(pub.transceivers[0]!.sender.track).toBeNull();
    expect(s.ch.of('media.publish')).toEqual([{ type: 'media.publish', jsep: { type: 'offer', sdp: 'publisher offer' } }]);
    expect(s.call.getView().publishing).toBe(false);

    await s.call.setDevice('mic', true);
    await flush();
    expect(s.count('publisher')).toBe(1);
    expect(pub.log.filter((l) => l === 'createOffer')).toHaveLength(1);
    expect(pub.transceivers[0]!.sender.track).toBe(s.dev.captured[1]);

    s.ch.frame({ type: 'media.answer', jsep: { type: 'answer', sdp: 'pub answer' } });
    await flush();
    expect(pub.log).toContain('setRemote pub');
    expect(s.call.getView().publishing).toBe(true);
    expect(s.ch.of('media.state')).toEqual([
      { type: 'media.state', mic: false, camera: true },
      { type: 'media.state', mic: true, camera: true },
    ]);
  });

  it('off: replaceTrack(null) and the track stopped; on again: a new capture and replaceTrack, no renegotiation', async () => {
    const s = await publishingCamera();
    const video = s.pub().transceivers[1]!;
    const first = s.dev.captured[0]!;
    expect(s.call.getView().localStream?.getTracks()).toEqual([first]);

    await s.call.setDevice('camera', false);
    await flush();
    expect(video.sender.track).toBeNull();
    expect(first.stopped).toBe(true);
    expect(s.call.getView().camera).toMatchObject({ wanted: false, live: false });
    expect(s.call.getView().localStream).toBeNull();

    await s.call.setDevice('camera', true);
    await flush();
    const second = s.dev.captured[1]!;
    expect(video.sender.track).toBe(second);
    expect(video.replaced).toEqual([first, null, second]);
    expect(s.count('publisher')).toBe(1);
    expect(s.pub().log.filter((l) => l === 'createOffer')).toHaveLength(1);
    expect(s.ch.of('media.publish')).toHaveLength(1);
    expect(s.ch.of('media.state').map((f) => f.camera)).toEqual([true, false, true]);
  });

  it('a device turned on before media.ready is published once the call is joined', async () => {
    const s = setup();
    s.ch.hello();
    await s.call.setDevice('mic', true);
    expect(s.count('publisher')).toBe(0);
    expect(s.ch.of('media.state')).toHaveLength(1);
    s.ch.frame({ type: 'media.ready' });
    await flush();
    expect(s.ch.of('media.publish')).toHaveLength(1);
  });

  it('trickles publisher candidates after the offer and queues the server\'s until the answer', async () => {
    const s = await joined();
    await s.call.setDevice('mic', true);
    const pub = s.pub();
    pub.on.iceCandidate({ candidate: 'mine-early', sdpMid: '0' });
    await flush();
    pub.on.iceCandidate(null);
    expect(s.ch.of('media.trickle').filter((f) => f.target === 'publisher').map((f) => f.candidate)).toEqual([{ candidate: 'mine-early', sdpMid: '0' }, null]);
    expect(s.ch.types().indexOf('media.publish')).toBeLessThan(s.ch.types().indexOf('media.trickle'));
    const theirs = { candidate: 'candidate:9 1 udp 1 10.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    s.ch.frame({ type: 'media.trickle', target: 'publisher', candidate: theirs });
    expect(pub.candidates).toEqual([]);
    s.ch.frame({ type: 'media.answer', jsep: { type: 'answer', sdp: 'pub answer' } });
    await flush();
    expect(pub.candidates).toEqual([theirs]);
  });

  it('a refused publish is tried again later', async () => {
    const s = await joined();
    await s.call.setDevice('camera', true);
    await flush();
    s.ch.frame({ type: 'error', code: 'media_failed', message: 'publish refused' });
    expect(s.pub().closed).toBe(true);
    await vi.advanceTimersByTimeAsync(CALL.republishMs);
    expect(s.count('publisher')).toBe(2);
    expect(s.ch.of('media.publish')).toHaveLength(2);
  });

  it('switching devices captures the chosen one and replaces the track, remembering the choice', async () => {
    const s = await joined();
    await s.call.setDevice('camera', true);
    await flush();
    const video = s.pub().transceivers[1]!;
    await s.call.chooseDevice('camera', 'cam2');
    await flush();
    const constraints = s.dev.getUserMedia.mock.calls[1]![0].video as MediaTrackConstraints;
    expect(constraints.deviceId).toEqual({ exact: 'cam2' });
    expect(video.sender.track).toBe(s.dev.captured[1]);
    expect(s.dev.captured[0]!.stopped).toBe(true);
    expect(s.call.getView().camera.deviceId).toBe('cam2');
    expect(JSON.parse(s.storage.data.get(DEVICE_CHOICE_KEY)!)).toEqual({ camera: 'cam2', mic: null });
    expect(s.ch.of('media.publish')).toHaveLength(1);
    expect(s.ch.of('media.state')).toHaveLength(1); // still just "camera on"
  });
});
