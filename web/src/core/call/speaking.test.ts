import { describe, expect, it } from 'vitest';
import { SPEAKING_HOLD_MS, SpeakingDetector } from './speaking';

describe('SpeakingDetector', () => {
  it('lights up on the first loud sample and goes out after a quiet hold (table)', () => {
    const cases: Array<{ name: string; samples: Array<[number, number]>; want: boolean[] }> = [
      { name: 'silence', samples: [[0, 0], [100, 0.01]], want: [false, false] },
      { name: 'a word', samples: [[0, 0.1], [100, 0]], want: [true, true] },
      { name: 'quiet long enough', samples: [[0, 0.1], [100, 0], [SPEAKING_HOLD_MS, 0], [SPEAKING_HOLD_MS + 100, 0]], want: [true, true, true, false] },
      { name: 'soft speech keeps it on', samples: [[0, 0.1], [500, 0.02], [1000, 0.02], [1700, 0.02], [2400, 0], [2600, 0]], want: [true, true, true, true, true, false] },
      { name: 'soft sound alone does not start it', samples: [[0, 0.02], [100, 0.02]], want: [false, false] },
    ];
    for (const c of cases) {
      const d = new SpeakingDetector();
      expect(c.samples.map(([t, l]) => d.update(l, t)), c.name).toEqual(c.want);
    }
  });

  it('reset forgets', () => {
    const d = new SpeakingDetector();
    d.update(0.5, 0);
    d.reset();
    expect(d.update(0, 10)).toBe(false);
  });
});
