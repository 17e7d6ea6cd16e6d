import { describe, expect, it, vi } from 'vitest';
import { CALL } from './call_types';
import { setup, withFakeClock } from './call_fakes';

withFakeClock();

describe('call session: received quality', () => {
  it('sends media.quality for changes while joined, and again after each media.ready', async () => {
    const s = setup();
    s.ch.hello();
    s.call.setQualities(new Map([['p2', 'low'], ['p3', 'high']]));
    expect(s.ch.of('media.quality')).toEqual([]); // not in the call yet
    s.ch.frame({ type: 'media.ready' });
    expect(s.ch.of('media.quality')).toEqual([{ type: 'media.quality', participant_id: 'p2', quality: 'low' }]); // high is the default
    s.call.setQualities(new Map([['p2', 'low'], ['p3', 'medium']]));
    s.call.setQualities(new Map([['p2', 'low'], ['p3', 'medium']]));
    expect(s.ch.of('media.quality').slice(1)).toEqual([{ type: 'media.quality', participant_id: 'p3', quality: 'medium' }]);
    s.call.setQualities(new Map([['p3', 'high']]));
    expect(s.ch.of('media.quality').at(-1)).toEqual({ type: 'media.quality', participant_id: 'p3', quality: 'high' });
    // A new call session (media.closed, then back): the server forgot; send again.
    s.call.setQualities(new Map([['p3', 'low']]));
    const before = s.ch.of('media.quality').length;
    s.ch.frame({ type: 'media.closed', reason: 'x' });
    await vi.advanceTimersByTimeAsync(CALL.retryMs);
    s.ch.frame({ type: 'media.ready' });
    expect(s.ch.of('media.quality').slice(before)).toEqual([{ type: 'media.quality', participant_id: 'p3', quality: 'low' }]);
  });
});
