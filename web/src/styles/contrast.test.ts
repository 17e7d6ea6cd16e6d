// The theme's colour pairs meet WCAG 2.1 AA contrast (4.5:1 for text, 3:1 for large text and the
// borders of controls), read from the custom properties in base.css.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const css = readFileSync(new URL('./base.css', import.meta.url), 'utf8');
const root = css.slice(css.indexOf(':root'), css.indexOf('}', css.indexOf(':root')));

function colour(name: string): [number, number, number] {
  const m = new RegExp(`--${name}:\\s*#([0-9a-f]{6})\\b`, 'i').exec(root);
  if (!m) throw new Error(`--${name} is not a #rrggbb colour in :root`);
  const hex = m[1]!;
  return [0, 2, 4].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

/** WCAG 2.1 relative luminance and contrast ratio. */
function luminance([r, g, b]: [number, number, number]): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}
function contrast(a: [number, number, number], b: [number, number, number]): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

describe('theme contrast (WCAG 2.1 AA)', () => {
  it('computes the known ratios (black on white is 21:1)', () => {
    expect(contrast([0, 0, 0], [255, 255, 255])).toBeCloseTo(21, 5);
    expect(contrast([119, 119, 119], [255, 255, 255])).toBeCloseTo(4.48, 2);
  });

  const text: Array<[string, string]> = [
    ['text', 'bg'], ['text', 'surface'], ['text', 'surface-2'], ['text', 'surface-3'],
    ['text-muted', 'bg'], ['text-muted', 'surface'], ['text-muted', 'surface-2'],
    ['accent', 'bg'], ['accent', 'surface'], ['on-accent', 'accent'], ['on-accent', 'accent-hover'],
    ['danger', 'bg'], ['danger', 'surface'], ['live', 'bg'],
  ];
  for (const [fg, bg] of text) {
    it(`--${fg} on --${bg} is at least 4.5:1`, () => {
      expect(contrast(colour(fg), colour(bg))).toBeGreaterThanOrEqual(4.5);
    });
  }

  it('control borders (--border-strong) stand out 3:1 from the surfaces', () => {
    for (const bg of ['bg', 'surface', 'surface-2']) expect(contrast(colour('border-strong'), colour(bg))).toBeGreaterThanOrEqual(3);
  });
});
