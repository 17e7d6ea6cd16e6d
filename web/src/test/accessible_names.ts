// Accessible names of the controls in server-rendered markup, computed the way browsers and screen
// readers do (dom-accessibility-api on a jsdom document: aria-labelledby, aria-label, <label for> and
// wrapping labels, text content that is not aria-hidden, title). Render tests use it to check that
// every control can be named; an `id` or a lone icon is not a name.
import { computeAccessibleName, getRole } from 'dom-accessibility-api';
import { JSDOM } from 'jsdom';

/** Elements a person operates: native controls and the ARIA widget roles Kino uses. */
const CONTROLS = [
  'button',
  'input:not([type="hidden"])',
  'select',
  'textarea',
  'a[href]',
  ...['button', 'link', 'checkbox', 'radio', 'switch', 'slider', 'spinbutton', 'tab', 'textbox', 'combobox', 'menuitem'].map((r) => `[role="${r}"]`),
].join(', ');

export interface NamedControl {
  /** The computed role (`button`, `slider`, …), or the tag name when it has none. */
  role: string;
  /** The accessible name, whitespace collapsed; '' when it has none. */
  name: string;
  /** The element's opening tag, to say which one it is. */
  tag: string;
}

/**
 * Every control in `html` with its accessible name. Content behind `hidden` (a closed panel) is
 * revealed first, so its controls are named as they will be when shown; aria-hidden stays hidden.
 */
export function namedControls(html: string): NamedControl[] {
  const { document } = new JSDOM(`<!doctype html><html><body>${html}</body></html>`).window;
  for (const el of document.querySelectorAll('[hidden]')) el.removeAttribute('hidden');
  return [...document.querySelectorAll(CONTROLS)].map((el) => ({
    role: getRole(el) ?? el.localName,
    name: computeAccessibleName(el).replace(/\s+/g, ' ').trim(),
    tag: el.outerHTML.slice(0, el.outerHTML.indexOf('>') + 1),
  }));
}

/** The opening tags of the controls in `html` that have no accessible name (should be none). */
export function unnamedControls(html: string): string[] {
  return namedControls(html)
    .filter((c) => c.name === '')
    .map((c) => c.tag);
}
