// A TCP balancer for tests of several Kino nodes: listens on 127.0.0.1 at a free port and sends
// each new connection to the next node in turn (HTTP keep-alive connections and WebSockets stay on
// the node they reached, as behind HAProxy). A node that refuses the connection is skipped.
import net from 'node:net';

/**
 * @param {string[]} targets  "http://127.0.0.1:PORT" of each node
 * @returns {Promise<{url: string, hits: number[], setTargets: (t: string[]) => void, close: () => Promise<void>}>}
 */
export async function startRoundRobin(targets) {
  let nodes = targets.map((t) => new URL(t));
  const hits = nodes.map(() => 0);
  let next = 0;
  const sockets = new Set();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    const tryNode = (left) => {
      if (left === 0) { client.destroy(); return; }
      const i = next % nodes.length;
      next += 1;
      const upstream = net.connect({ host: nodes[i].hostname, port: Number(nodes[i].port) });
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      upstream.once('connect', () => {
        hits[i] += 1;
        client.pipe(upstream);
        upstream.pipe(client);
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
      });
      upstream.once('error', () => {
        if (upstream.connecting || !upstream.remoteAddress) tryNode(left - 1);
        else client.destroy();
      });
    };
    tryNode(nodes.length);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    hits,
    setTargets(t) { nodes = t.map((x) => new URL(x)); },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
