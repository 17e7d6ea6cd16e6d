import { describe, expect, it, vi } from 'vitest';
import { CALL } from './call_types';
import { STEADY_READS } from './handover';
import { flush, offer, setup, withFakeClock } from './call_fakes';

withFakeClock();

const person = (id: string, member: string, on = false) => ({ id, member_id: member, name: member, camera: on, mic: on });
const video = (mid: string, framesDecoded: number) => ({ type: 'inbound-rtp', mid, kind: 'video', framesDecoded, bytesReceived: framesDecoded * 100 });
const audio = (mid: string, bytesReceived: number) => ({ type: 'inbound-rtp', mid, kind: 'audio', bytesReceived });
type Stat = ReturnType<typeof video> | ReturnType<typeof audio>;

/** The new subscriber's stats in successive reads, one poll apart (a stream that keeps flowing, or not). */
async function reads(sub: { stats: unknown[] }, ...each: Stat[][]) {
  for (const stats of each) {
    sub.stats = stats;
    await vi.advanceTimersByTimeAsync(CALL.handoverPollMs);
  }
}
/** A video stream on mid 1 that keeps decoding long enough to switch to (from `from` frames on). */
const steadyVideo = (from = 1) => Array.from({ length: STEADY_READS + 1 }, (_, i) => [video('1', from + 3 * i)]);

/** In the call as p1 (member m1) with Bea (p2) subscribed; our camera on, its publish not answered yet. */
async function inCallPublishing() {
  const s = setup();
  s.ch.hello({ snapshot: { participants: [person('p1', 'm1'), person('p2', 'm2', true)] } });
  s.ch.frame({ type: 'media.ready' });
  s.ch.frame(offer('o1 0:audio 1:video', [['0', 'audio', 'p2'], ['1', 'video', 'p2']]));
  await flush();
  await s.call.setDevice('camera', true);
  await flush();
  return s;
}

/**
 * In the call as p1 (member m1) with Bea (p2, member m2, camera and microphone on) subscribed, our
 * camera published; then the socket drops.
 */
async function inCallThenDropped() {
  const s = await inCallPublishing();
  s.ch.frame({ type: 'media.answer', jsep: { type: 'answer', sdp: 'pub answer' } });
  await flush();
  const old = { sub: s.sub(), pub: s.pub(), stream: s.call.getView().remote.get('p2')! };
  old.sub.stats = [video('1', 500), audio('0', 9000)];
  s.ch.drop();
  return { ...s, old };
}

/** The next socket's hello: we are p5, Bea is p6 (her camera not announced again yet). */
async function rejoined(s: Awaited<ReturnType<typeof inCallThenDropped>>) {
  s.ch.hello({ participant_id: 'p5', snapshot: { participants: [person('p5', 'm1'), person('p6', 'm2')] } });
  s.ch.frame({ type: 'media.ready' });
  s.ch.frame(offer('o2 0:audio 1:video', [['0', 'audio', 'p6'], ['1', 'video', 'p6']]));
  await flush();
  return s.sub();
}

describe('call handover across a reconnect', () => {
  it('a socket drop leaves both connections open and every tile playing', async () => {
    const s = await inCallThenDropped();
    expect([s.old.sub.closed, s.old.pub.closed]).toEqual([false, false]);
    const v = s.call.getView();
    expect(v.status).toBe('connecting');
    expect(v.remote.get('p2')).toBe(s.old.stream);
    expect(v.publishing).toBe(false); // the new call publishes again after media.ready
  });

  it("after the hello, the same person's new tile plays the old stream, as it was, until the new video decodes", async () => {
    const s = await inCallThenDropped();
    const sub2 = await rejoined(s);
    expect(sub2).not.toBe(s.old.sub);
    let v = s.call.getView();
    expect(v.remote.get('p6')).toBe(s.old.stream);
    expect(v.carried.get('p6')).toEqual({ camera: true, mic: true });
    expect(s.count('publisher')).toBe(2); // we publish again on the new join, the old one still sending

    // Her audio arrives first: not enough for someone whose camera was on.
    await reads(sub2, [audio('0', 1200), video('1', 0)], [audio('0', 2400), video('1', 0)], [audio('0', 3600), video('1', 0)]);
    expect(s.call.getView().remote.get('p6')).toBe(s.old.stream);
    // Frames for a moment, then nothing more: a stream that stalls right after it started is not switched to.
    await reads(sub2, [video('1', 3)], [video('1', 6)], [video('1', 6)], [video('1', 6)]);
    expect(s.call.getView().remote.get('p6')).toBe(s.old.stream);

    await reads(sub2, ...steadyVideo(7));
    v = s.call.getView();
    expect(v.remote.get('p6')).not.toBe(s.old.stream);
    expect(v.remote.get('p6')!.getTracks()).toEqual(sub2.transceivers.map((t) => t.receiver.track));
    expect(v.carried.size).toBe(0);
    expect(s.old.sub.closed).toBe(true);
    // Our old stream plays on for the others a little longer: they switch to the new one on their own.
    expect(s.old.pub.closed).toBe(false);
    await vi.advanceTimersByTimeAsync(CALL.handoverPublisherGraceMs);
    expect(s.old.pub.closed).toBe(true);
    expect(s.ch.of('media.leave')).toEqual([]); // the old sessions are Janus's to forget
  });

  it('someone who sent only audio switches over once their new audio arrives', async () => {
    const s = setup();
    s.ch.hello({ snapshot: { participants: [person('p1', 'm1'), { ...person('p2', 'm2'), mic: true }] } });
    s.ch.frame({ type: 'media.ready' });
    s.ch.frame(offer('o1 0:audio', [['0', 'audio', 'p2']]));
    await flush();
    const oldSub = s.sub();
    s.ch.drop();
    s.ch.hello({ participant_id: 'p5', snapshot: { participants: [person('p5', 'm1'), person('p6', 'm2')] } });
    s.ch.frame({ type: 'media.ready' });
    s.ch.frame(offer('o2 0:audio', [['0', 'audio', 'p6']]));
    await flush();
    expect(s.call.getView().carried.get('p6')).toEqual({ camera: false, mic: true });
    await reads(s.sub(), ...Array.from({ length: STEADY_READS + 1 }, (_, i) => [audio('0', 800 * (i + 1))]));
    expect(s.call.getView().carried.size).toBe(0);
    expect(oldSub.closed).toBe(true);
  });

  it('reports the stats of what the tiles play: the old connection while carried, then the new one', async () => {
    const s = await inCallThenDropped();
    const sub2 = await rejoined(s);
    sub2.stats = [video('1', 0)];
    expect(await s.call.inboundStats()).toEqual([
      { participant_id: 'p2', kind: 'video', framesDecoded: 500, bytesReceived: 50000 },
      { participant_id: 'p2', kind: 'audio', bytesReceived: 9000 },
    ]);
    await reads(sub2, ...steadyVideo(4));
    const last = 4 + 3 * STEADY_READS;
    expect(await s.call.inboundStats()).toEqual([{ participant_id: 'p6', kind: 'video', framesDecoded: last, bytesReceived: last * 100 }]);
  });

  it('ends after CALL.handoverMaxMs even when the new call never flows', async () => {
    const s = await inCallThenDropped();
    await rejoined(s);
    await vi.advanceTimersByTimeAsync(CALL.handoverMaxMs - 1);
    expect(s.old.sub.closed).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(s.old.sub.closed).toBe(true);
    expect(s.call.getView().carried.size).toBe(0);
    expect(s.call.getView().remote.get('p6')).not.toBe(s.old.stream);
  });

  it('a person still reconnecting keeps the handover going until they flow again', async () => {
    const s = await inCallThenDropped();
    s.ch.hello({ participant_id: 'p5', snapshot: { participants: [person('p5', 'm1')] } }); // Bea not back yet
    s.ch.frame({ type: 'media.ready' });
    await vi.advanceTimersByTimeAsync(CALL.handoverPollMs * 4);
    expect(s.old.sub.closed).toBe(false);
    s.ch.frame({ type: 'participant.joined', seq: 9, participant: person('p7', 'm2') });
    expect(s.call.getView().remote.get('p7')).toBe(s.old.stream);
    s.ch.frame(offer('o2 0:audio 1:video', [['0', 'audio', 'p7'], ['1', 'video', 'p7']]));
    await flush();
    await reads(s.sub(), ...steadyVideo(2));
    expect(s.old.sub.closed).toBe(true);
  });

  it('media.closed ends the handover at once', async () => {
    const s = await inCallThenDropped();
    await rejoined(s);
    s.ch.frame({ type: 'media.closed', reason: 'media_server_lost' });
    expect(s.old.sub.closed).toBe(true);
    expect(s.call.getView().remote.size).toBe(0);
  });

  it('the old subscriber failing ends the handover, and the new call goes on', async () => {
    const s = await inCallThenDropped();
    const sub2 = await rejoined(s);
    s.old.sub.on.connectionState('failed');
    expect(s.old.sub.closed).toBe(true);
    expect(sub2.closed).toBe(false);
    expect(s.call.getView().carried.size).toBe(0);
    expect(s.ch.of('media.leave')).toEqual([]);
  });

  it('a second drop before the new call flows keeps the first handover; the half-formed call is closed', async () => {
    const s = await inCallThenDropped();
    const sub2 = await rejoined(s);
    s.ch.drop();
    expect(sub2.closed).toBe(true);
    expect(s.old.sub.closed).toBe(false);
    const sub3 = await rejoined(s);
    await reads(sub3, ...steadyVideo());
    expect(s.call.getView().remote.get('p6')!.getTracks()).toEqual(sub3.transceivers.map((t) => t.receiver.track));
    expect(s.old.sub.closed).toBe(true);
  });

  it('a publish Janus had not answered yet is closed at the drop, not kept', async () => {
    const s = await inCallPublishing();
    const pub1 = s.pub();
    s.ch.drop();
    expect(pub1.closed).toBe(true);
  });

  it('close() during a handover closes the old connections too', async () => {
    const s = await inCallThenDropped();
    await rejoined(s);
    s.call.close();
    expect([s.old.sub.closed, s.old.pub.closed]).toEqual([true, true]);
  });
});
