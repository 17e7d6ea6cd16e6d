// The repository's documentation is self-contained: no tracked file cites the team's private notes
// (the design, API, UX and conventions notes kept outside the repository, or their shared/ folder),
// which a reader of the repository cannot open; what a reader needs from them lives in docs/. And
// every docs/ file that a tracked file names exists.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../lib/kino.mjs';

const SELF = 'tests/integration/repo_docs.test.mjs';  // names the notes in order to find them

/** A citation of a private note: its file name, or a path into the folder that holds the notes. */
const PRIVATE_NOTE = /\b(?:DESIGN|API|UX|CONVENTIONS)\.md\b|(?:^|[\s(`'"[])(?:\.\.\/)+shared\/|(?:^|[\s(`'"[])shared\/(?:reference|hooks)\//m;
const DOCS_PATH = /\bdocs\/[A-Za-z0-9_./-]*\.(?:md|yaml)\b/g;

function trackedTextFiles() {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: repoRoot, encoding: 'utf8' })
    .split('\0').filter(Boolean);
  return files.filter((f) => {
    const full = path.join(repoRoot, f);
    return existsSync(full) && statSync(full).isFile() && statSync(full).size < 4 << 20;
  }).map((f) => ({ file: f, text: readFileSync(path.join(repoRoot, f), 'latin1') }));
}

/** "file:line: text" for every line of `text` that matches `re`. */
function hits(file, text, re) {
  return text.split('\n').flatMap((line, i) => (re.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : []));
}

describe('repository documentation', () => {
  it('recognises citations of the private notes, and not ordinary paths', () => {
    // Built from parts, so that this file does not itself cite the notes.
    const md = (name) => `${name}.md`;
    const shared = (...parts) => ['shared', ...parts].join('/');
    for (const cited of [`see ${md('DESIGN')} §8`, `(${md('API')})`, `${md('UX')} says`, md('CONVENTIONS'),
      `More detail: ../${shared('reference', md('feasibility'))}`, `notes/${shared(md('UX'))}`, `\`${shared('reference', md('a'))}\``]) {
      assert.match(cited, PRIVATE_NOTE, cited);
    }
    for (const fine of ['docs/design/README.md', 'docs/api/openapi.yaml', md('OPEN' + 'API'), 'web/src/shared/x.ts',
      'a shared/ state', md('MY_' + 'DESIGN')]) {
      assert.doesNotMatch(fine, PRIVATE_NOTE, fine);
    }
  });

  it('no tracked file cites the private notes', () => {
    const found = trackedTextFiles().filter(({ file }) => file !== SELF)
      .flatMap(({ file, text }) => hits(file, text, PRIVATE_NOTE));
    assert.deepEqual(found, [], 'move what the reader needs into docs/ and cite that instead:\n' +
      found.join('\n'));
  });

  it('every docs/ file a tracked file names exists', () => {
    const missing = [];
    for (const { file, text } of trackedTextFiles()) {
      for (const cited of new Set(text.match(DOCS_PATH) ?? [])) {
        if (!existsSync(path.join(repoRoot, cited))) missing.push(`${file}: ${cited}`);
      }
    }
    assert.deepEqual(missing, []);
  });
});
