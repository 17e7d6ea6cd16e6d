// Memory and CPU of the Chromium processes this Node process started, read from /proc (Linux): for
// tests and probes that bound what a page costs beyond its JS heap (DOM, layout, ICU and other
// native memory the heap size does not show).
import { readFileSync, readdirSync } from 'node:fs';

function read(file) {
  try { return readFileSync(file, 'utf8'); } catch { return ''; }
}

/** Pids of every process below `root`. */
function descendants(root) {
  const children = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const stat = read(`/proc/${d}/stat`);
    if (!stat) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(d));
  }
  const out = [];
  const walk = (p) => { for (const c of children.get(p) ?? []) { out.push(c); walk(c); } };
  walk(root);
  return out;
}

/**
 * Every Chromium process below this Node process: its type (`browser`, `renderer`, `gpu-process`, …),
 * its memory in MB (PSS, or RSS where PSS is unreadable) and its CPU seconds so far.
 * @returns {{pid: number, type: string, mb: number, cpuS: number}[]}
 */
export function chromiumProcesses() {
  const out = [];
  for (const pid of descendants(process.pid)) {
    const cmd = read(`/proc/${pid}/cmdline`);
    if (!cmd.includes('chrom')) continue;
    const kb = /^Pss:\s+(\d+)/m.exec(read(`/proc/${pid}/smaps_rollup`)) ?? /^VmRSS:\s+(\d+)/m.exec(read(`/proc/${pid}/status`));
    const stat = read(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.push({
      pid,
      type: /--type=([a-z-]+)/.exec(cmd)?.[1] ?? 'browser',
      mb: Math.round(Number(kb?.[1] ?? 0) / 1024),
      cpuS: (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100,
    });
  }
  return out;
}

/** The largest renderer's memory in MB (with one page open: that page's renderer). */
export function largestRendererMb() {
  return Math.max(0, ...chromiumProcesses().filter((p) => p.type === 'renderer').map((p) => p.mb));
}
