import { describe, expect, it, vi } from 'vitest';
import { CALL, type PeerEvents } from './call_types';
import { createCallSession } from './call_session';
import { fakeChannel, FakePeer, FakeStream, flush, joined, publishingCamera, setup, withFakeClock } from './call_fakes';

withFakeClock();

describe('call session: joining', () => {
  it('joins after the hello with both devices off, and asks for no device', async () => {
    const { call, ch, dev, peers } = setup();
    expect(ch.sent).toEqual([]); // no socket yet
    ch.hello();
    expect(ch.types()).toEqual(['media.join']);
    expect(call.getView().status).toBe('connecting');
    ch.frame({ type: 'media.ready' });
    await flush();
    expect(call.getView().status).toBe('joined');
    expect(dev.getUserMedia).not.toHaveBeenCalled();
    expect(peers).toEqual([]); // no publisher until a device is on
    expect(ch.of('media.state')).toEqual([]);
    expect(call.getView().devices.cameras.map((d) => d.label)).toEqual(['Front camera', 'USB camera']);
  });

  it('joins at once when created on an open socket', () => {
    const ch = fakeChannel();
    ch.hello();
    createCallSession({ channel: ch.channel, createPeer: () => new FakePeer('subscriber', null as unknown as PeerEvents), devices: null, createStream: (t) => new FakeStream(t) });
    expect(ch.types()).toEqual(['media.join']);
  });

  it('media_unavailable: unavailable, media.join again soon, then less often, until media.ready; the next loss starts over', async () => {
    const { call, ch } = setup();
    ch.hello();
    const waits = [...CALL.retryStepsMs, CALL.retryMs, CALL.retryMs];
    expect(waits[0]).toBeLessThan(1000); // a moved call comes back within the 5-s target
    for (const [i, wait] of waits.entries()) {
      ch.frame({ type: 'error', code: 'media_unavailable', message: 'video chat is off' });
      expect(call.getView().status).toBe('unavailable'); // no flicker while retrying
      await vi.advanceTimersByTimeAsync(wait - 1);
      expect(ch.of('media.join')).toHaveLength(i + 1);
      await vi.advanceTimersByTimeAsync(1);
      expect(ch.of('media.join')).toHaveLength(i + 2);
    }
    ch.frame({ type: 'media.ready' });
    expect(call.getView().status).toBe('joined');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ch.of('media.join')).toHaveLength(waits.length + 1);
    ch.frame({ type: 'media.closed', reason: 'session_timeout' });
    await vi.advanceTimersByTimeAsync(CALL.retryStepsMs[0]! - 1);
    expect(ch.of('media.join')).toHaveLength(waits.length + 1);
    await vi.advanceTimersByTimeAsync(1);
    expect(ch.of('media.join')).toHaveLength(waits.length + 2);
  });

  it('media.closed because the media server was lost: media.join at once (the server places the call on another one)', async () => {
    const { call, ch } = setup();
    ch.hello();
    ch.frame({ type: 'media.ready' });
    expect(ch.of('media.join')).toHaveLength(1);
    ch.frame({ type: 'media.closed', reason: 'media_server_lost' });
    expect(call.getView().status).toBe('unavailable');
    expect(ch.of('media.join')).toHaveLength(2);
    ch.frame({ type: 'error', code: 'media_unavailable', message: 'no media server' });
    await vi.advanceTimersByTimeAsync(CALL.retryStepsMs[0]!);
    expect(ch.of('media.join')).toHaveLength(3); // a failed join is retried on the usual steps
  });

  it('media_disabled: says video chat is off and never polls', async () => {
    const { call, ch } = setup();
    ch.hello();
    ch.frame({ type: 'error', code: 'media_disabled', message: 'Video chat is turned off on this server.' });
    expect(call.getView().status).toBe('off');
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(ch.of('media.join')).toHaveLength(1);
    expect(call.getView().status).toBe('off');
  });

  it('a join that gets no answer counts as unavailable and is retried', async () => {
    const { call, ch } = setup();
    ch.hello();
    await vi.advanceTimersByTimeAsync(CALL.joinTimeoutMs);
    expect(call.getView().status).toBe('unavailable');
    await vi.advanceTimersByTimeAsync(CALL.retryMs);
    expect(ch.of('media.join')).toHaveLength(2);
  });

  it('media.closed: both connections closed, remote streams cleared, joined again and republished', async () => {
    const s = await publishingCamera();
    expect(s.call.getView().publishing).toBe(true);
    const [sub1, pub1] = [s.sub(), s.pub()];
    s.ch.frame({ type: 'media.talking', participant_id: 'p2', talking: true });

    s.ch.frame({ type: 'media.closed', reason: 'janus_down' });
    const v = s.call.getView();
    expect(v.status).toBe('unavailable');
    expect([sub1.closed, pub1.closed]).toEqual([true, true]);
    expect(v.remote.size).toBe(0);
    expect(v.talking.size).toBe(0);
    expect(v.publishing).toBe(false);
    expect(v.camera.live).toBe(true); // the camera stays on
    expect(s.dev.captured[0]!.stopped).toBe(false);

    await vi.advanceTimersByTimeAsync(CALL.retryMs);
    expect(s.ch.of('media.join')).toHaveLength(2);
    expect(s.count('publisher')).toBe(1);
    s.ch.frame({ type: 'media.ready' });
    await flush();
    expect(s.count('publisher')).toBe(2);
    expect(s.ch.of('media.publish')).toHaveLength(2);
    expect(s.pub().transceivers[1]!.sender.track).toBe(s.dev.captured[0]);
    expect(s.dev.getUserMedia).toHaveBeenCalledTimes(1); // the same track, no new prompt
  });

  it('a socket drop hands the call over; the next hello joins again and re-announces the devices', async () => {
    const s = await joined();
    await s.call.setDevice('mic', true);
    expect(s.ch.of('media.state')).toEqual([{ type: 'media.state', mic: true, camera: false }]);
    const sub1 = s.sub();
    s.ch.drop();
    expect(sub1.closed).toBe(false); // handover.test.ts: it plays on until the new call flows
    expect(s.call.getView().status).toBe('connecting');
    // Frames of the old connection that were still in flight do nothing.
    s.ch.hello();
    expect(s.ch.types().slice(-2)).toEqual(['media.join', 'media.state']);
    expect(s.ch.sent.at(-1)).toEqual({ type: 'media.state', mic: true, camera: false });
    s.ch.frame({ type: 'media.ready' });
    await flush();
    expect(s.count('publisher')).toBe(2);
    expect(s.pub().transceivers[0]!.sender.track).toBe(s.dev.captured[0]);
  });

  it('a new hello without a drop (the socket replaced) also joins again, handing the old call over', async () => {
    const s = await joined();
    const sub1 = s.sub();
    s.ch.frame({ type: 'hello', participant_id: 'p9' });
    expect(s.ch.of('media.join')).toHaveLength(2);
    expect(sub1.closed).toBe(false);
    await vi.advanceTimersByTimeAsync(CALL.handoverMaxMs);
    expect(sub1.closed).toBe(true);
  });
});

describe('call session: closing', () => {
  it('close() leaves the call and stops the devices', async () => {
    const s = await joined();
    await s.call.setDevice('camera', true);
    s.call.close();
    expect(s.ch.sent.at(-1)).toEqual({ type: 'media.leave' });
    expect(s.dev.captured[0]!.stopped).toBe(true);
    expect(s.sub().closed).toBe(true);
    s.ch.frame({ type: 'media.closed', reason: 'x' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(s.ch.of('media.join')).toHaveLength(1);
  });
});
