import { describe, expect, it } from 'vitest';
import { DEFAULT_LEADS, LEADS_KEY, MEASURE_AFTER_MS, StartLeads } from './start_leads';

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), data };
}

describe('StartLeads', () => {
  it('moves a lead part of the way to each measurement, once per start, and remembers it', () => {
    const storage = memoryStorage();
    const l = new StartLeads(storage);
    expect(l.playS).toBe(DEFAULT_LEADS.playS);
    l.started('play', 1_000);
    expect(l.measuring).toBe(true);
    expect(l.observe(1_000 + MEASURE_AFTER_MS - 1, -0.05)).toBe(false); // too early to tell
    expect(l.observe(1_000 + MEASURE_AFTER_MS, -0.05)).toBe(true); // 50 ms late → start earlier
    expect(l.measuring).toBe(false);
    expect(l.playS).toBeCloseTo(DEFAULT_LEADS.playS + 0.035, 6); // the first lesson counts most
    expect(l.observe(2_000, -0.05)).toBe(false); // nothing pending
    l.started('play', 2_000);
    l.observe(2_200, -0.02);
    expect(l.playS).toBeCloseTo(DEFAULT_LEADS.playS + 0.035 + 0.5 * 0.02, 6);
    l.started('play', 3_000);
    l.observe(3_200, 0.01);
    expect(l.playS).toBeCloseTo(DEFAULT_LEADS.playS + 0.045 - 0.4 * 0.01, 6); // later ones less: starts vary
    l.started('seek', 3_000);
    l.observe(3_200, 0.02); // 20 ms ahead → land less far ahead
    expect(l.seekS).toBeCloseTo(DEFAULT_LEADS.seekS - 0.014, 6);
    l.started('resume', 4_000);
    l.observe(4_200, 0.01); // a warm resume has its own lead
    expect(l.resumeS).toBeCloseTo(DEFAULT_LEADS.resumeS - 0.007, 6);
    l.learnStretch(-0.03);
    expect(l.stretchS).toBeCloseTo(DEFAULT_LEADS.stretchS - 0.007, 6);
    const stored = JSON.parse(storage.data.get(LEADS_KEY)!);
    expect(stored).toMatchObject({ playS: l.playS, resumeS: l.resumeS, seekS: l.seekS, stretchS: l.stretchS });
    expect(stored.n).toEqual({ playS: 3, seekS: 1, resumeS: 1, stretchS: 1 });
    const again = new StartLeads(storage);
    expect([again.playS, again.resumeS, again.seekS, again.stretchS]).toEqual([l.playS, l.resumeS, l.seekS, l.stretchS]);
    again.started('play', 0);
    again.observe(200, -0.01);
    expect(again.playS).toBeCloseTo(l.playS + 0.4 * 0.01, 6); // the count was kept too
  });

  it('counts only the head start a start really had (a change that arrived late, a late timer)', () => {
    const l = new StartLeads(null);
    // Only 50 ms of allowance, and 100 ms late: it took 150 ms, whatever the lead was.
    for (let i = 0; i < 12; i++) {
      l.started('play', 0, 0.05);
      l.observe(200, -0.1);
    }
    expect(l.playS).toBeCloseTo(0.15, 3);
  });

  it('learns nothing from stalls, jumps, outliers, cancelled or stale starts; stays within bounds', () => {
    const l = new StartLeads(memoryStorage({ [LEADS_KEY]: JSON.stringify({ playS: 9, seekS: -1, stretchS: -5 }) }));
    expect([l.playS, l.seekS, l.resumeS, l.stretchS]).toEqual([0.4, 0, DEFAULT_LEADS.resumeS, -0.08]);
    l.started('play', 0);
    expect(l.observe(500, -2)).toBe(false); // a jump
    l.started('play', 0);
    l.cancel();
    expect(l.observe(500, -0.05)).toBe(false);
    l.started('play', 0);
    expect(l.observe(10_000, -0.05)).toBe(false); // stale
    l.started('play', 0);
    expect(l.observe(500, 0.1)).toBe(true);
    expect(l.playS).toBeCloseTo(0.4 - 0.7 * 0.1, 6);
    for (let i = 0; i < 2; i++) {
      l.started('seek', 0);
      l.observe(500, -0.1);
    }
    const seek = l.seekS;
    l.started('seek', 0);
    expect(l.observe(500, -0.2)).toBe(false); // 200 ms more than a learned lead: a busy machine, not a latency
    expect(l.seekS).toBe(seek);
    l.learnStretch(0.5); // not a stretch cost
    expect(l.stretchS).toBe(-0.08);
    expect(new StartLeads({ getItem: () => '{x', setItem: () => {} }).seekS).toBe(DEFAULT_LEADS.seekS);
  });
});
