// A throw-away OpenStack Swift with the S3 API for Node tests (tests/lib/swift/swiftctl; layout and
// credentials in tests/lib/swift/README.md). Contract: startSwift() resolves once the proxy answers
// and the buckets exist; stop() stops every server and removes its directory (kept with
// KINO_TEST_KEEP=1). Everything listens on 127.0.0.1 only.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
export const swiftctl = path.join(here, 'swift', 'swiftctl');

/** Whether Debian's Swift is installed (tools/install-deps installs it). */
export const swiftInstalled = () => existsSync('/usr/bin/swift-proxy-server');

/** AWS URI encoding (what the query of a signed request must already be in for curl 7.88). */
const awsEncode = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Sets up and starts Swift in `dir` (default: a new temp dir; whatever it held is replaced) and
 * creates `buckets`.
 * @param {{buckets?: string[], dir?: string}} [opts]
 */
export async function startSwift({ buckets = [], dir: where } = {}) {
  const dir = where ?? mkdtempSync(path.join(tmpdir(), 'kino-swift-'));
  const ctl = (...args) => run(swiftctl, args, { timeout: 120_000 });
  try {
    await ctl('up', dir, ...buckets);
  } catch (e) {
    throw new Error(`swiftctl up failed: ${e.stderr || e.message}`);
  }
  const env = Object.fromEntries(readFileSync(path.join(dir, 'env'), 'utf8').trim().split('\n')
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  const endpoint = env.SWIFT_S3_ENDPOINT;
  let uploads = 0;

  const swift = {
    dir,
    endpoint,
    region: env.SWIFT_S3_REGION,
    accessKey: env.SWIFT_S3_ACCESS_KEY,
    secretKey: env.SWIFT_S3_SECRET_KEY,
    /** The environment that makes a Kino keep its media in `bucket`. */
    kinoEnv: (bucket) => ({
      KINO_STORAGE_BLOB: 's3',
      KINO_STORAGE_S3_ENDPOINT: endpoint,
      KINO_STORAGE_S3_BUCKET: bucket,
      KINO_STORAGE_S3_REGION: env.SWIFT_S3_REGION,
      KINO_STORAGE_S3_ACCESS_KEY: env.SWIFT_S3_ACCESS_KEY,
      KINO_STORAGE_S3_SECRET_KEY: env.SWIFT_S3_SECRET_KEY,
    }),
    /** Stops servers by name: proxy, account, container, object-1 (devices d1, d2), object-2 (d3). */
    stopServer: (...names) => ctl('stop', dir, ...names),
    /** Starts them again; resolves once they answer. */
    startServer: (...names) => ctl('start', dir, ...names),
    /** Deletes every object replica stored on `device` (d1, d2 or d3): a lost disk. */
    wipeDevice: (device) => rmSync(path.join(dir, 'srv', device, 'objects'), { recursive: true, force: true }),
    /**
     * A signed S3 request with curl. `target` is "/bucket/key" (query already canonical);
     * `body` (Buffer or string) makes it a PUT. Resolves {status, body: Buffer}.
     */
    async s3(method, target, body) {
      const args = ['-s', '--aws-sigv4', `aws:amz:${env.SWIFT_S3_REGION}:s3`, '--netrc-file', path.join(dir, 'netrc'),
        '-H', 'x-amz-content-sha256: UNSIGNED-PAYLOAD', '-w', '\n%{http_code}', '-X', method];
      if (body !== undefined) {
        const file = path.join(dir, `upload-${uploads += 1}`);
        writeFileSync(file, body);
        args.push('-T', file);
      }
      const { stdout } = await run('curl', [...args, endpoint + target], { encoding: 'buffer', maxBuffer: 1 << 28 });
      const cut = stdout.lastIndexOf(0x0a);
      return { status: Number(stdout.subarray(cut + 1).toString()), body: stdout.subarray(0, cut) };
    },
    /** Keys in `bucket` under `prefix` (at most 1000). */
    async listKeys(bucket, prefix) {
      const r = await swift.s3('GET', `/${bucket}?list-type=2&prefix=${awsEncode(prefix)}`);
      if (r.status !== 200) throw new Error(`listing ${bucket}/${prefix}: ${r.status} ${r.body}`);
      return [...r.body.toString().matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]).sort();
    },
    /** How many object replicas (.data files) `device` holds. */
    dataFiles(device) {
      const root = path.join(dir, 'srv', device, 'objects');
      if (!existsSync(root)) return 0;
      return readdirSync(root, { recursive: true }).filter((f) => String(f).endsWith('.data')).length;
    },
    /** Stops every server and removes the directory (kept with KINO_TEST_KEEP=1). */
    async stop() {
      await ctl('stop', dir).catch(() => {});
      if (!process.env.KINO_TEST_KEEP) rmSync(dir, { recursive: true, force: true });
    },
  };
  return swift;
}
