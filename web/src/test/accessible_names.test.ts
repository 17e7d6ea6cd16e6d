import { describe, expect, it } from 'vitest';
import { namedControls, unnamedControls } from './accessible_names';

describe('accessible names of controls', () => {
  it('names controls the way assistive technology does', () => {
    const html = [
      '<button type="button" aria-label="Play"><svg aria-hidden="true"></svg></button>',
      '<button type="button">Share<span aria-hidden="true">↗</span></button>',
      '<label for="v">Room volume</label><input id="v" type="range">',
      '<label>Speed <select><option>1×</option></select></label>',
      '<span id="t">Message</span><textarea aria-labelledby="t"></textarea>',
      '<div hidden=""><button type="button" title="Close">×</button></div>',
    ].join('');
    expect(namedControls(html).map((c) => `${c.role}:${c.name}`)).toEqual([
      'button:Play',
      'button:Share',
      'slider:Room volume',
      'combobox:Speed',
      'textbox:Message',
      'button:×',
    ]);
    expect(unnamedControls(html)).toEqual([]);
  });

  it('finds controls without a name: an id, an icon or a label for something else does not name them', () => {
    const html = [
      '<button type="button" id="play"><svg aria-hidden="true"></svg></button>',
      '<button type="button"><span aria-hidden="true">▶</span></button>',
      '<input id="volume" type="range">',
      '<label for="elsewhere">Speed</label><select id="speed"><option></option></select>',
      '<div role="slider" id="seek" aria-valuenow="3"></div>',
    ].join('');
    expect(unnamedControls(html)).toEqual([
      '<button type="button" id="play">',
      '<button type="button">',
      '<input id="volume" type="range">',
      '<select id="speed">',
      '<div role="slider" id="seek" aria-valuenow="3">',
    ]);
  });
});
