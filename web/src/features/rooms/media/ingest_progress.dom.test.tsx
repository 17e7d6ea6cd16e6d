// @vitest-environment jsdom
// The preparation bar in a live DOM: the percent in the text and the width of the fill are one number,
// through step changes (each step starts again at 0) and a bar that is shown anew.
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { ServicesProvider } from '../../../app/services';
import type { Media, MediaState } from '../../../core/media';
import { domRootPerTest } from '../../../test/dom_root';
import { testServices } from '../../../test/render';
import { IngestProgress } from './IngestProgress';

const dom = domRootPerTest();
const services = testServices();

function show(state: MediaState, percent: number) {
  const media: Media = { state, percent, eta_s: null, error: state === 'failed' ? 'gone' : null, playable: false, duration_s: null };
  act(() => {
    dom.root.render(
      <ServicesProvider services={services}>
        <IngestProgress media={media} isOwner onRetry={() => {}} retrying={false} retryError={null} place="room" />
      </ServicesProvider>,
    );
  });
}

/** What the person sees: the percent in the sentence, and the fill's width and whether it slides. */
function seen() {
  const fill = dom.host.querySelector<HTMLElement>('.ingest-fill');
  return {
    text: /(\d+)%/.exec(dom.host.querySelector('.ingest-text')?.textContent ?? '')?.[1] ?? null,
    width: fill?.style.getPropertyValue('--progress') ?? null,
    slides: fill?.dataset.grows === 'true',
  };
}


describe('ingest progress', () => {
  it('the next step starts at 0%: the bar jumps to 0 with the text instead of sliding down under it', () => {
    show('downloading', 20);
    expect(seen()).toEqual({ text: '20', width: '20%', slides: true });
    show('downloading', 100);
    expect(seen()).toEqual({ text: '100', width: '100%', slides: true });
    show('probing', 0);
    expect(seen()).toEqual({ text: '0', width: '0%', slides: false });
    show('probing', 35.7);
    expect(seen()).toEqual({ text: '35', width: '35%', slides: true });
  });

  it('a bar shown again after a failure starts at the number its text says', () => {
    show('downloading', 20);
    show('failed', 0);
    expect(dom.host.querySelector('.ingest-fill')).toBeNull();
    show('queued', 0);
    show('downloading', 0);
    expect(seen()).toMatchObject({ text: '0', width: '0%' });
    show('downloading', 20);
    expect(seen()).toEqual({ text: '20', width: '20%', slides: true });
  });
});
