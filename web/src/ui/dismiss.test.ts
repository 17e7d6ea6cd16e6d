import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { watchDismiss, type DismissReason } from './dismiss';

function page() {
  const { window } = new JSDOM('<!doctype html><body><button id="open">Settings</button><div id="pop"><input id="field"></div><video id="video"></video></body>');
  const doc = window.document;
  const el = (id: string) => doc.getElementById(id)!;
  const seen: DismissReason[] = [];
  const stop = watchDismiss(doc, () => [el('pop'), el('open')], (why) => seen.push(why));
  const press = (id: string) => el(id).dispatchEvent(new window.Event('pointerdown', { bubbles: true }));
  const key = (id: string, k: string) => el(id).dispatchEvent(new window.KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));
  return { seen, stop, press, key };
}

describe('watchDismiss (the playback settings pop-up)', () => {
  it('Escape anywhere closes it, even with focus outside the pop-up; other keys do not', () => {
    const p = page();
    p.key('field', 'a');
    expect(p.seen).toEqual([]);
    p.key('video', 'Escape');
    p.key('field', 'Escape');
    expect(p.seen).toEqual(['escape', 'escape']);
  });

  it('a press outside closes it; a press inside it or on its own button does not', () => {
    const p = page();
    p.press('field');
    p.press('open');
    expect(p.seen).toEqual([]);
    p.press('video');
    expect(p.seen).toEqual(['outside']);
  });

  it('once removed, nothing closes it any more', () => {
    const p = page();
    p.stop();
    p.press('video');
    p.key('video', 'Escape');
    expect(p.seen).toEqual([]);
  });
});
