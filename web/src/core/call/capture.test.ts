import { describe, expect, it } from 'vitest';
import { classifyCaptureError, deviceLists, sameDevices } from './capture';

describe('classifyCaptureError', () => {
  it('names the problem (table)', () => {
    const cases: Array<[string, string]> = [
      ['NotAllowedError', 'denied'],
      ['SecurityError', 'denied'],
      ['NotFoundError', 'no_device'],
      ['OverconstrainedError', 'no_device'],
      ['NotReadableError', 'busy'],
      ['AbortError', 'busy'],
      ['InsecureContextError', 'insecure'],
      ['TypeError', 'failed'],
    ];
    for (const [name, want] of cases) expect(classifyCaptureError(Object.assign(new Error('x'), { name })), name).toBe(want);
    expect(classifyCaptureError('weird')).toBe('failed');
  });
});

describe('deviceLists', () => {
  it('no audio input listed at all: noMic; one listed without an id (before permission): a microphone exists', () => {
    const none = deviceLists([{ kind: 'videoinput', deviceId: '', label: '' }]);
    expect(none.noMic).toBe(true);
    expect(none.mics).toEqual([]);
    const hidden = deviceLists([{ kind: 'audioinput', deviceId: '', label: '' }]);
    expect(hidden.noMic).toBeUndefined();
    expect(sameDevices(none, hidden)).toBe(false);
  });
});
