// @vitest-environment jsdom
// The room header's Share button in a live DOM: a click copies the link, the button reads "Copied"
// and the status region says so; after SHARE_COPIED_MS (fake timers) it reads "Share" again.
import { act } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ServicesProvider } from '../../app/services';
import { domRootPerTest } from '../../test/dom_root';
import { testServices } from '../../test/render';
import { LiveRegion } from '../../ui/LiveRegion';
import { SHARE_COPIED_MS, ShareButton } from './ShareButton';

const dom = domRootPerTest();

function show(copy: (text: string) => Promise<boolean>, locale: 'en' | 'ru' = 'en') {
  act(() => {
    dom.root.render(
      <ServicesProvider services={testServices({ locale })}>
        <ShareButton url="http://kino.test/r/abc" copy={copy} />
        <LiveRegion />
      </ServicesProvider>,
    );
  });
}

const button = () => dom.host.querySelector('button')!;
const status = () => dom.host.querySelector('[role="status"]')?.textContent;
const alert = () => dom.host.querySelector('[role="alert"]')?.textContent;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Share button', () => {
  it('reads "Copied" after a copy, announces it, then reads "Share" again', async () => {
    const copy = vi.fn(() => Promise.resolve(true));
    show(copy);
    expect(button().textContent).toBe('Share');
    await act(async () => button().click());
    expect(copy).toHaveBeenCalledWith('http://kino.test/r/abc');
    expect(button().textContent).toBe('Copied');
    expect(button().className).toContain('share-button-done');
    expect(status()).toBe('Link copied.');
    act(() => vi.advanceTimersByTime(SHARE_COPIED_MS - 1));
    expect(button().textContent).toBe('Copied');
    act(() => vi.advanceTimersByTime(1));
    expect(button().textContent).toBe('Share');
    expect(button().className).not.toContain('share-button-done');
  });

  it('speaks Russian', async () => {
    show(() => Promise.resolve(true), 'ru');
    expect(button().textContent).toBe('Поделиться');
    await act(async () => button().click());
    expect(button().textContent).toBe('Скопировано');
    expect(status()).toBe('Ссылка скопирована.');
  });

  it('a failed copy keeps "Share" and shows the link in an alert', async () => {
    show(() => Promise.resolve(false));
    await act(async () => button().click());
    expect(button().textContent).toBe('Share');
    expect(alert()).toContain('The link is http://kino.test/r/abc');
  });
});
