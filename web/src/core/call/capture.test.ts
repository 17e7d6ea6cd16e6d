import { describe, expect, it } from 'vitest';
import { classifyCaptureError } from './capture';

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
