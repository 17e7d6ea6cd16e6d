// For the DOM tests (jsdom): a React root in a fresh <div> for each test of the calling file,
// unmounted and removed after it. Test support only.
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeAll, beforeEach } from 'vitest';

export interface DomRoot {
  readonly host: HTMLDivElement;
  readonly root: Root;
}

/** Call at the top level of a test file; read `host` and `root` inside the tests. */
export function domRootPerTest(): DomRoot {
  let host: HTMLDivElement | null = null;
  let root: Root | null = null;
  beforeAll(() => {
    (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
  });
  beforeEach(() => {
    host = document.createElement('div');
    document.body.append(host);
    root = createRoot(host);
  });
  afterEach(() => {
    const r = root;
    if (r) act(() => r.unmount());
    host?.remove();
    host = root = null;
  });
  return {
    get host() {
      if (!host) throw new Error('domRootPerTest: read it inside a test');
      return host;
    },
    get root() {
      if (!root) throw new Error('domRootPerTest: read it inside a test');
      return root;
    },
  };
}
