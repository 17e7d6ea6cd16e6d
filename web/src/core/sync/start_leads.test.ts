import { describe, expect, it } from 'vitest';
import { DEFAULT_LEADS, LEADS_KEY, MEASURE_AFTER_MS, StartLeads } from './start_leads';

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), data };
}

describe('StartLeads', () => {
  it('moves a lead by most of the measured error, once per start, and remembers it', () => {
    const storage = memoryStorage();
    const l = new StartLeads(storage);
    expect(l.playS).toBe(DEFAULT_LEADS.playS);
    l.started('play', 1_000);
    expect(l.observe(1_000 + MEASURE_AFTER_MS - 1, -0.05)).toBe(false); // too early to tell
    expect(l.observe(1_000 + MEASURE_AFTER_MS, -0.05)).toBe(true); // 50 ms late → start earlier
    expect(l.playS).toBeCloseTo(DEFAULT_LEADS.playS + 0.035, 6);
    expect(l.observe(2_000, -0.05)).toBe(false); // nothing pending
    l.started('seek', 3_000);
    l.observe(3_200, 0.02); // 20 ms ahead → land less far ahead
    expect(l.seekS).toBeCloseTo(DEFAULT_LEADS.seekS - 0.014, 6);
    expect(JSON.parse(storage.data.get(LEADS_KEY)!)).toEqual({ playS: l.playS, seekS: l.seekS });
    expect(new StartLeads(storage).playS).toBeCloseTo(DEFAULT_LEADS.playS + 0.035, 6);
  });

  it('counts only the head start a start really had (a change that arrived late)', () => {
    const l = new StartLeads(null);
    // Only 30 ms of allowance, and 60 ms late: it took 90 ms, whatever the lead was.
    for (let i = 0; i < 8; i++) {
      l.started('play', 0, 0.03);
      l.observe(200, -0.06);
    }
    expect(l.playS).toBeCloseTo(0.09, 3);
  });

  it('learns nothing from stalls, jumps, cancelled or stale starts; stays within 0–400 ms', () => {
    const l = new StartLeads(memoryStorage({ [LEADS_KEY]: JSON.stringify({ playS: 9, seekS: -1 }) }));
    expect([l.playS, l.seekS]).toEqual([0.4, 0]);
    l.started('play', 0);
    expect(l.observe(500, -2)).toBe(false);
    l.started('play', 0);
    l.cancel();
    expect(l.observe(500, -0.05)).toBe(false);
    l.started('play', 0);
    expect(l.observe(10_000, -0.05)).toBe(false);
    l.started('play', 0);
    expect(l.observe(500, -0.2)).toBe(true);
    expect(l.playS).toBe(0.4);
    expect(new StartLeads({ getItem: () => '{x', setItem: () => {} }).seekS).toBe(DEFAULT_LEADS.seekS);
  });
});
