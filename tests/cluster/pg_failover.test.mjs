// PostgreSQL failover under load: Kino on a Patroni cluster (two PostgreSQL 15 nodes, synchronous
// replication, three etcd members). Three people keep chatting while the primary's machine is lost
// (Patroni and the postmaster SIGKILLed). Afterwards every message Kino acknowledged is in the
// room's history exactly once, and Kino took chat again within the failover time (printed).
// The cluster listens on fixed loopback ports, so the test runs itself again inside a private
// network namespace (tools/netns-run); to run it directly: `tools/netns-run node --test <this file>`.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startKino } from '../lib/kino.mjs';
import { inNetns, runInNetns } from '../lib/netns.mjs';
import { startPgCluster } from '../lib/pg_cluster.mjs';
import { get, registerUser, createRoom } from '../integration/http.mjs';
import { connect, joinedUser, closeAllSockets } from '../integration/ws_client.mjs';

const self = fileURLToPath(import.meta.url);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

if (!inNetns) {
  describe('PostgreSQL failover (run inside tools/netns-run)', () => {
    it('passes inside a private network namespace', { timeout: 300_000 }, async () => {
      const { code, output } = await runInNetns(self);
      assert.equal(code, 0, `the run inside tools/netns-run failed (exit ${code}):\n${output.split('\n').slice(-60).join('\n')}`);
    });
  });
} else {
  describe('PostgreSQL failover: chat keeps every acknowledged message', () => {
    let cluster;
    let k;
    before(async () => {
      cluster = await startPgCluster({ ttl: 5, log: (m) => console.log(`# ${m}`) });
      k = await startKino({
        env: {
          KINO_STORAGE_ENGINE: 'postgres',
          KINO_STORAGE_POSTGRES_URL: cluster.conninfo,
          KINO_REALTIME_CHAT_MAX_PER_10S: '1000',
          KINO_REALTIME_ROOM_CHAT_MAX_PER_MIN: '100000',
        },
        timeoutMs: 60_000,
      });
    }, { timeout: 180_000 });
    after(async () => {
      closeAllSockets();
      await k?.stop();
      await cluster?.stop();
    }, { timeout: 60_000 });

    it('loses and duplicates nothing when the primary dies mid-chat, and takes writes again within the failover time', { timeout: 180_000 }, async () => {
      const owner = await registerUser(k);
      const { room } = await createRoom(k, owner.cookie, { title: 'Failover', visibility: 'public' });
      const people = await Promise.all([0, 1, 2].map(() => joinedUser(k, room.slug)));

      const acked = new Map();  // client id → ack time (ms)
      const sentFirst = new Map();  // client id → first send time
      let stop = false;
      let killedAt = 0;
      // One person: sends numbered messages one at a time; an error or silence means "send the same
      // id again" (what the web app does), over a new socket when the old one closed.
      const chatter = async (person, label) => {
        let client = await connect(k, room.slug, { cookie: person.cookie });
        for (let i = 0; !stop; i += 1) {
          const id = `${label}-${i}`;
          sentFirst.set(id, Date.now());
          for (;;) {
            if (client.closed) {
              try { client = await connect(k, room.slug, { cookie: person.cookie, timeoutMs: 3000 }); } catch { await sleep(200); continue; }
            }
            const from = client.frames.length;
            client.chat(id, `message ${i} from ${label}`);
            const answer = await client.waitFor((f) => (f.type === 'chat.ack' || f.type === 'error') && f.id === id, 4000, `answer to ${id}`, from).catch(() => null);
            if (answer?.type === 'chat.ack') { acked.set(id, Date.now()); break; }
            await sleep(100);
          }
          await sleep(40);
        }
      };
      const chatters = people.map((p, n) => chatter(p, `p${n}`));
      await sleep(2000);
      assert.ok(acked.size > 10, `chat flows before the failover (${acked.size} acked)`);
      const killed = await cluster.killPrimary();
      killedAt = Date.now();
      console.log(`# killed the primary ${killed} with ${acked.size} messages acknowledged`);
      // Writable again: the first acknowledgement of a message first sent after the kill.
      let writableMs = -1;
      for (const end = Date.now() + 60_000; Date.now() < end; await sleep(50)) {
        const after = [...acked.entries()].filter(([id, t]) => t > killedAt && sentFirst.get(id) > killedAt);
        if (after.length > 0) { writableMs = Math.min(...after.map(([, t]) => t)) - killedAt; break; }
      }
      assert.ok(writableMs >= 0, 'Kino took chat again within 60 s of losing the primary');
      console.log(`# Kino took chat again ${writableMs} ms after the primary was killed`);
      // Patroni promotes the standby once the leader key expires (ttl 5 s); Kino's retries bridge it.
      assert.ok(writableMs < 20_000, `writable again ${writableMs} ms after the kill (ttl 5 s)`);
      await sleep(2000);
      stop = true;
      await Promise.all(chatters);
      console.log(`# new leader ${await cluster.leader()}; ${acked.size} messages acknowledged in all`);

      // The history, page by page from the newest.
      const seen = new Map();
      let before;
      for (;;) {
        const res = await get(k, `/api/v1/rooms/${room.slug}/messages?limit=100${before ? `&before=${before}` : ''}`, { cookie: owner.cookie });
        assert.equal(res.status, 200, res.text);
        for (const m of res.json.messages) seen.set(m.client_id, (seen.get(m.client_id) || 0) + 1);
        if (!res.json.has_more || res.json.messages.length === 0) break;
        before = res.json.messages[0].seq;
      }
      const missing = [...acked.keys()].filter((id) => !seen.has(id));
      const twice = [...seen.entries()].filter(([, n]) => n > 1);
      assert.deepEqual(missing, [], 'every acknowledged message is in the history');
      assert.deepEqual(twice, [], 'no message is stored twice');
    });
  });
}
