import { describe, expect, it, vi } from 'vitest';
import { CALL } from './call_types';
import { flush, joined, offer, setup, withFakeClock } from './call_fakes';

withFakeClock();

describe('call session: subscriber', () => {
  it('applies offers strictly one at a time, in order, answering each', async () => {
    const { ch, sub } = setup();
    ch.hello();
    ch.frame({ type: 'media.ready' });
    let release!: () => void;
    ch.frame(offer('o1 0:audio', [['0', 'audio', 'p2']]));
    sub().gate = new Promise<void>((r) => (release = r));
    ch.frame(offer('o2 0:audio 1:video', [['0', 'audio', 'p2'], ['1', 'video', 'p2']]));
    ch.frame(offer('o3 0:audio 1:video 2:video', [['0', 'audio', 'p2'], ['1', 'video', 'p2'], ['2', 'video', 'p3']]));
    await flush();
    expect(sub().log).toEqual(['setRemote o1']);
    expect(ch.of('media.answer')).toEqual([]);
    release();
    sub().gate = null;
    await flush();
    expect(sub().log).toEqual([
      'setRemote o1', 'createAnswer', 'setLocal answer',
      'setRemote o2', 'createAnswer', 'setLocal answer',
      'setRemote o3', 'createAnswer', 'setLocal answer',
    ]);
    expect(ch.of('media.answer').map((f) => f.jsep)).toEqual([
      { type: 'answer', sdp: 'answer to o1' },
      { type: 'answer', sdp: 'answer to o2' },
      { type: 'answer', sdp: 'answer to o3' },
    ]);
  });

  it('maps transceiver mids to participants, one stream per participant, and drops mids no longer listed', async () => {
    const { call, ch } = await joined();
    let remote = call.getView().remote;
    expect([...remote.keys()]).toEqual(['p2']);
    expect(remote.get('p2')!.getTracks().map((t) => t.kind)).toEqual(['audio', 'video']);
    const p2 = remote.get('p2');

    ch.frame(offer('o2 0:audio 1:video 2:audio 3:video', [['0', 'audio', 'p2'], ['1', 'video', 'p2'], ['2', 'audio', 'p3'], ['3', 'video', 'p3']]));
    await flush();
    remote = call.getView().remote;
    expect([...remote.keys()].sort()).toEqual(['p2', 'p3']);
    expect(remote.get('p2')).toBe(p2); // unchanged tracks: the same stream (no flicker in <video>)
    expect(remote.get('p3')!.getTracks().map((t) => t.kind)).toEqual(['audio', 'video']);

    // p2 left: its mids carry nothing now; mid 0 is reused for p4's audio.
    ch.frame(offer('o3 0:audio 1:video 2:audio 3:video', [['0', 'audio', 'p4'], ['2', 'audio', 'p3'], ['3', 'video', 'p3']]));
    await flush();
    remote = call.getView().remote;
    expect([...remote.keys()].sort()).toEqual(['p3', 'p4']);
    expect(remote.get('p4')!.getTracks()).toHaveLength(1);
  });

  it('queues server candidates until the remote description is set, then adds them in order', async () => {
    const { ch, sub } = setup();
    ch.hello();
    ch.frame({ type: 'media.ready' });
    const c1 = { candidate: 'candidate:1 1 udp 1 10.0.0.1 4000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    const c2 = { candidate: 'candidate:2 1 udp 1 10.0.0.1 4001 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    ch.frame({ type: 'media.trickle', target: 'subscriber', candidate: c1 });
    ch.frame({ type: 'media.trickle', target: 'subscriber', candidate: { nonsense: true } });
    ch.frame(offer('o1 0:audio', [['0', 'audio', 'p2']]));
    ch.frame({ type: 'media.trickle', target: 'subscriber', candidate: c2 });
    await flush();
    ch.frame({ type: 'media.trickle', target: 'subscriber', candidate: null });
    await flush();
    expect(sub().candidates).toEqual([c1, c2, null]);
  });

  it('trickles its own candidates with target subscriber once the answer went out', async () => {
    const { ch, sub } = setup();
    ch.hello();
    ch.frame({ type: 'media.ready' });
    ch.frame(offer('o1 0:audio', [['0', 'audio', 'p2']]));
    sub().on.iceCandidate({ candidate: 'early', sdpMid: '0' });
    expect(ch.of('media.trickle')).toEqual([]);
    await flush();
    sub().on.iceCandidate({ candidate: 'late', sdpMid: '0' });
    sub().on.iceCandidate(null);
    expect(ch.types().slice(-4)).toEqual(['media.answer', 'media.trickle', 'media.trickle', 'media.trickle']);
    expect(ch.of('media.trickle')).toEqual([
      { type: 'media.trickle', target: 'subscriber', candidate: { candidate: 'early', sdpMid: '0' } },
      { type: 'media.trickle', target: 'subscriber', candidate: { candidate: 'late', sdpMid: '0' } },
      { type: 'media.trickle', target: 'subscriber', candidate: null },
    ]);
  });

  it('an offer that cannot be applied starts the call over (leave, join again later)', async () => {
    const { call, ch, sub } = await joined();
    const first = sub();
    ch.frame(offer('bad 0:audio', [['0', 'audio', 'p2']]));
    await flush();
    expect(first.closed).toBe(true);
    expect(ch.types()).toContain('media.leave');
    expect(call.getView().status).toBe('connecting');
    await vi.advanceTimersByTimeAsync(CALL.retryMs);
    expect(ch.of('media.join')).toHaveLength(2);
  });

  it('ignores offers outside the call (late ones from a session it left)', async () => {
    const { ch, sub, count } = await joined();
    const first = sub();
    ch.frame(offer('bad 0:audio', [['0', 'audio', 'p2']])); // restart: leave, join later
    await flush();
    ch.frame(offer('o9 0:audio', [['0', 'audio', 'p2']])); // in flight before the leave
    await flush();
    expect(count('subscriber')).toBe(1);
    expect(first.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(CALL.retryMs);
    ch.frame({ type: 'media.ready' });
    ch.frame(offer('o1 0:audio', [['0', 'audio', 'p2']]));
    await flush();
    expect(count('subscriber')).toBe(2);
    expect(ch.of('media.answer').at(-1)).toEqual({ type: 'media.answer', jsep: { type: 'answer', sdp: 'answer to o1' } });
  });

  it('speaking: media.talking lights participants, the last speaker stays active', () => {
    const { call, ch } = setup();
    ch.hello();
    ch.frame({ type: 'media.talking', participant_id: 'p2', talking: true });
    ch.frame({ type: 'media.talking', participant_id: 'p3', talking: true });
    ch.frame({ type: 'media.talking', participant_id: 'p3', talking: false });
    expect([...call.getView().talking]).toEqual(['p2']);
    expect(call.getView().activeSpeaker).toBe('p3');
    ch.frame({ type: 'participant.left', seq: 9, participant_id: 'p3' });
    expect(call.getView().activeSpeaker).toBeNull();
  });

  it('inboundStats maps inbound-rtp reports to participants by mid (or by track)', async () => {
    const { call, sub } = await joined();
    const videoTrack = sub().transceivers.find((t) => t.mid === '1')!.receiver.track;
    sub().stats = [
      { type: 'inbound-rtp', kind: 'audio', mid: '0', bytesReceived: 1200, totalSamplesReceived: 48000 },
      { type: 'inbound-rtp', kind: 'video', trackIdentifier: videoTrack.id, bytesReceived: 90000, framesDecoded: 30 },
      { type: 'inbound-rtp', kind: 'video', mid: '7', bytesReceived: 5 }, // not in the layout
      { type: 'outbound-rtp', kind: 'video', mid: '1', bytesSent: 1 },
    ];
    expect(await call.inboundStats()).toEqual([
      { participant_id: 'p2', kind: 'audio', bytesReceived: 1200, totalSamplesReceived: 48000 },
      { participant_id: 'p2', kind: 'video', bytesReceived: 90000, framesDecoded: 30 },
    ]);
  });
});
