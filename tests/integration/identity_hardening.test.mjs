// Who a visitor is cannot be chosen by the client: guest ids are minted (and signed) by the server,
// a guest entering a private room gets a new one, logging out ends the session's open sockets, and
// without a configured public origin only loopback Host headers are believed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { get, post, rawRequest, relaxedLimits, createRoom, assertError, namedCookie, guestCookieFrom } from './http.mjs';
import { connect, joinedUser, tryOpen, assertRefused, newId, ownOrigin } from './ws_client.mjs';
import { serverWithOwnerPerSuite } from './suite_server.mjs';
import net from 'node:net';

/** Sends `text` as is over a new TCP connection and resolves with everything the server answered. */
function rawExchange(baseUrl, text) {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(u.port), u.hostname, () => socket.write(text));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (c) => { answer += c; });
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

const env = { ...relaxedLimits, KINO_ROOMS_CREATE_USER_MAX_PER_HOUR: '1000' };

describe('guest identities are minted by the server', () => {
  const server = serverWithOwnerPerSuite(env);

  it('ignores a guest cookie the client made up and mints its own', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    for (const forged of ['a', 'guest', 'x'.repeat(60), 'abc.123.def']) {
      const res = await post(k, `/api/v1/rooms/${room.slug}/join`, { display_name: 'Mallory' },
        { cookie: `kino_guest=${forged}` });
      assert.equal(res.status, 200, res.text);
      const minted = namedCookie(res, 'kino_guest');
      assert.ok(minted, `a new guest cookie replaces "${forged}"`);
      assert.notEqual(minted.value, forged);
      assert.ok(minted.value.length >= 40, `unguessable: ${minted.value}`);
      // The made-up value is nobody: it has no grant and cannot open the room's socket.
      const ws = await tryOpen(k, room.slug, { cookie: `kino_guest=${forged}`, origin: ownOrigin(k) });
      assertRefused(ws, 403, 'not_joined');
    }
  });

  it('gives a guest a new identity when they enter a private room; the old cookie loses its grants', async () => {
    const { k, owner } = server;
    const { room: open } = await createRoom(k, owner.cookie);
    const { room, access_key } = await createRoom(k, owner.cookie, { visibility: 'private' });
    // A cookie somebody planted in this browser earlier (it is a real, server-minted one).
    const first = await post(k, `/api/v1/rooms/${open.slug}/join`, { display_name: 'Victim' });
    const planted = guestCookieFrom(first);
    const joined = await post(k, `/api/v1/rooms/${room.slug}/join`, { display_name: 'Victim', key: access_key },
      { cookie: planted });
    assert.equal(joined.status, 200, joined.text);
    const rotated = guestCookieFrom(joined);
    assert.notEqual(rotated, planted, 'the identity was rotated');
    // The new identity has the private room and kept the public room's grant.
    assert.equal((await get(k, `/api/v1/rooms/${room.slug}`, { cookie: rotated })).json.room.joined, true);
    assert.equal((await get(k, `/api/v1/rooms/${open.slug}`, { cookie: rotated })).json.room.joined, true);
    const ws = await connect(k, room.slug, { cookie: rotated, origin: ownOrigin(k) });
    assert.equal(ws.hello.type, 'hello');
    await ws.close();
    // Whoever planted the old cookie holds nothing.
    assertError(await get(k, `/api/v1/rooms/${room.slug}`, { cookie: planted }), 403, 'room_private');
    assert.equal((await get(k, `/api/v1/rooms/${open.slug}`, { cookie: planted })).json.room.joined, false);
  });

  it('refuses names that hide characters or turn the text around', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    for (const name of ['Anna\u202Egnp.exe', 'Bo\u200Bris', '\u2066Eve\u2069', '\u3164']) {
      const res = await post(k, `/api/v1/rooms/${room.slug}/join`, { display_name: name });
      assertError(res, 422, 'invalid_field', 'display_name');
      assert.match(res.json.error.message, /invisible or text-direction/);
    }
    const ok = await post(k, `/api/v1/rooms/${room.slug}/join`, { display_name: 'Анна 👩\u200D💻' });
    assert.equal(ok.status, 200, ok.text);
  });
});

describe('logging out', () => {
  const server = serverWithOwnerPerSuite(env);

  it('closes the sockets of that session at once (4401) and leaves other sessions alone', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    const u = await joinedUser(k, room.slug, { display_name: 'Leaving Lev' });
    // The same account signed in a second time (another browser).
    const login = await post(k, '/api/v1/auth/login', { username: u.user.username, password: 'correct horse battery' });
    assert.equal(login.status, 200, login.text);
    const otherBrowser = `kino_session=${namedCookie(login, 'kino_session').value}`;
    const tab1 = await connect(k, room.slug, { cookie: u.cookie, origin: ownOrigin(k), label: 'tab1' });
    const tab2 = await connect(k, room.slug, { cookie: u.cookie, origin: ownOrigin(k), label: 'tab2' });
    const other = await connect(k, room.slug, { cookie: otherBrowser, origin: ownOrigin(k), label: 'other' });

    const out = await post(k, '/api/v1/auth/logout', {}, { cookie: u.cookie });
    assert.equal(out.status, 204);
    for (const tab of [tab1, tab2]) {
      const closed = await tab.waitClosed(3000);
      assert.equal(closed.code, 4401, JSON.stringify(closed));
      assert.equal(closed.reason, 'signed_out');
    }
    // A message on the dead session is not acked (the socket is gone) and the session is refused.
    assertRefused(await tryOpen(k, room.slug, { cookie: u.cookie, origin: ownOrigin(k) }), 403, 'not_joined');
    const id = newId('still');
    other.chat(id, 'I am still here');
    await other.waitAck(id);
    assert.equal(other.closed, null);
    await other.close();
  });
});

describe('the Host header without a public origin', () => {
  const server = serverWithOwnerPerSuite(env);

  it('refuses a foreign or doubled Host and uses a loopback one for room links', async () => {
    const { k, owner } = server;
    const foreign = await rawRequest(k.url, { path: '/api/v1/rooms', headers: { Host: 'evil.example' } });
    assert.equal(foreign.status, 400);
    assert.equal(JSON.parse(foreign.text).error.code, 'unknown_host');
    const doubled = await rawExchange(k.url,
      'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n');
    assert.match(doubled, /^HTTP\/1\.1 400 /);
    assert.match(doubled, /"code":"bad_host"/);
    const { room, url } = await createRoom(k, owner.cookie);
    assert.equal(url, `${k.url}/r/${room.slug}`, 'the link names the loopback host the request used');
    const ics = await rawRequest(k.url, { path: `/api/v1/rooms/${room.slug}/calendar.ics`, headers: { Host: 'evil.example' } });
    assert.equal(ics.status, 400, 'the calendar file never carries a foreign host');
    // A WebSocket that arrives with a foreign Host is refused too (DNS rebinding).
    const ws = await tryOpen(k, room.slug, { cookie: owner.cookie, origin: 'http://evil.example', headers: { Host: 'evil.example' } });
    assertRefused(ws, 400, 'unknown_host');
  });
});
