// Ingest benchmark (make bench): how fast Kino's real pipeline packages a generated 60 s 720p clip,
// as multiples of real time, for stream copy (H.264/AAC) and for the transcode ladder (MPEG-4/MP3
// source → x264 veryfast + AAC, up to 3 renditions). Everything runs on 127.0.0.1.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, createReadStream, statSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir, cpus } from 'node:os';
import path from 'node:path';
import { startKino } from '../tests/lib/kino.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS || 60);
const dir = mkdtempSync(path.join(tmpdir(), 'kino-bench-'));
const ff = (args) => execFileSync('ffmpeg', ['-v', 'error', '-y', ...args], { stdio: 'inherit' });
const src = ['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-f', 'lavfi', '-i',
  'sine=frequency=440:sample_rate=48000', '-t', String(SECONDS)];
console.log(`generating ${SECONDS} s 720p clips in ${dir} …`);
ff([...src, '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', '60',
  '-b:v', '3M', '-c:a', 'aac', '-b:a', '128k', path.join(dir, 'h264.mp4')]);
ff([...src, '-c:v', 'mpeg4', '-q:v', '4', '-c:a', 'libmp3lame', '-b:a', '128k',
  path.join(dir, 'mpeg4.avi')]);

const files = new Server();
function Server() {
  const server = createServer((req, res) => {
    const file = path.join(dir, path.basename(req.url));
    try {
      res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': statSync(file).size });
      createReadStream(file).pipe(res);
    } catch { res.writeHead(404).end(); }
  });
  return server;
}
await new Promise((r) => files.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${files.address().port}`;

const kino = await startKino({ env: { KINO_INGEST_ENABLED: 'true', KINO_INGEST_ALLOW_PRIVATE_ADDRESSES: 'true',
  KINO_ACCOUNTS_REGISTER_IP_MAX_PER_HOUR: '100' } });
const headers = { 'Content-Type': 'application/json', 'X-Kino-CSRF': '1' };
const reg = await fetch(`${kino.url}/api/v1/auth/register`, { method: 'POST', headers,
  body: JSON.stringify({ username: 'bench', password: 'bench-password' }) });
const cookie = reg.headers.get('set-cookie').split(';')[0];

async function ingest(name) {
  const res = await fetch(`${kino.url}/api/v1/rooms`, { method: 'POST', headers: { ...headers, cookie },
    body: JSON.stringify({ title: name, video_url: `${origin}/${name}`, visibility: 'public' }) });
  const { room } = await res.json();
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    const job = await (await fetch(`${kino.url}/api/v1/rooms/${room.slug}/ingest`, { headers: { cookie } })).json();
    if (job.state === 'ready' || job.state === 'failed') return job;
    if (Date.now() > deadline) throw new Error(`${name}: timed out in ${job.state}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const rows = [];
for (const [name, mode] of [['h264.mp4', 'stream copy'], ['mpeg4.avi', 'transcode ladder']]) {
  const job = await ingest(name);
  if (job.state !== 'ready') throw new Error(`${name} failed: ${job.error}`);
  const at = Object.fromEntries(job.history.map((h) => [h.state, Date.parse(h.at)]));
  const packaging = (at.ready - at.packaging) / 1000;
  const total = (at.ready - at.downloading) / 1000;
  rows.push({ mode, source: name, packaging_s: packaging.toFixed(2),
    packaging_x_realtime: (SECONDS / packaging).toFixed(1), end_to_end_s: total.toFixed(2),
    end_to_end_x_realtime: (SECONDS / total).toFixed(1) });
}
console.table(rows);
console.log(`machine: ${cpus().length} × ${cpus()[0].model}; clip ${SECONDS} s 1280x720 30 fps`);
await kino.stop();
files.close();
rmSync(dir, { recursive: true, force: true });
