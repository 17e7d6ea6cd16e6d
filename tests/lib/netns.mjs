// Running a test inside a private network namespace (tools/netns-run, root): for tests whose servers
// need fixed ports or a non-loopback interface, without touching this machine's own network.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './kino.mjs';

export const netnsRun = path.join(repoRoot, 'tools', 'netns-run');
/** True inside tools/netns-run (it exports KINO_NETNS=1). */
export const inNetns = process.env.KINO_NETNS === '1';

/**
 * Runs `node --test <file>` (or `node <file>` when test is false) inside tools/netns-run, streaming its
 * output to `out` as it comes. Resolves with {code, output}.
 */
export function runInNetns(file, { test = true, env = {}, out = process.stdout, args = [] } = {}) {
  const childEnv = { ...process.env, ...env };
  delete childEnv.NODE_TEST_CONTEXT; // else the inner `node --test` talks the runner's child protocol
  const nodeArgs = test ? ['--test', '--test-reporter=spec', '--test-concurrency=1', file] : [file];
  const child = spawn(netnsRun, [process.execPath, ...nodeArgs, ...args], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const onData = (chunk) => { output += chunk; out.write(chunk); };
  child.stdout.setEncoding('utf8').on('data', onData);
  child.stderr.setEncoding('utf8').on('data', onData);
  return new Promise((resolve) => {
    child.on('error', (e) => resolve({ code: -1, output: `${output}\n${e}` }));
    child.on('close', (code, signal) => resolve({ code: code ?? signal, output }));
  });
}

