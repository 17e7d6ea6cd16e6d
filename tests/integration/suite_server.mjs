// Per-suite server setup shared by the realtime and media-relay tests: one Kino and one registered
// room owner for the tests of a describe(), with every helper socket closed and the server stopped after.
import { before, after } from 'node:test';
import { startKino } from '../lib/kino.mjs';
import { registerUser } from './http.mjs';
import { closeAllSockets } from './ws_client.mjs';

/**
 * Call inside describe(). Before its tests: starts Kino with `env` and registers the owner (display name
 * `ownerName`). After them: closes every socket the ws_client helpers opened, then stops the server.
 * Returns {k, owner}, filled in once this `before` ran: read it in tests and later hooks, not at describe time.
 * @param {Record<string,string>} env
 * @param {{ownerName?: string}} [opts]
 */
export function serverWithOwnerPerSuite(env, { ownerName = 'Olga Owner' } = {}) {
  const server = { k: undefined, owner: undefined };
  before(async () => {
    server.k = await startKino({ env });
    server.owner = await registerUser(server.k, { display_name: ownerName });
  });
  after(async () => { closeAllSockets(); await server.k?.stop(); });
  return server;
}
