// What the web app's pages answer before the app runs (server/src/api/app_pages.cpp), as crawlers,
// link previews and monitors see them: 200 for every page of the app, 404 for unknown paths and
// rooms, 403 for a private room without a grant (its door: GET /api/v1/rooms/{slug} says the title,
// host and kind of key, nothing more), and Open Graph tags for public rooms only.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startKino } from '../lib/kino.mjs';
import { get, post, registerUser, relaxedLimits, createRoom, guestCookieFrom } from './http.mjs';

const appRoutes = readFileSync(fileURLToPath(new URL('../../web/src/app/App.tsx', import.meta.url)), 'utf8');

let k;
let owner;
let webBuilt;
before(async () => {
  k = await startKino({ env: { ...relaxedLimits, KINO_ROOMS_CREATE_USER_MAX_PER_HOUR: '1000' } });
  owner = await registerUser(k, { display_name: 'Olga "O" <Owner>' });
  webBuilt = (await get(k, '/')).status === 200;
});
after(async () => { await k?.stop(); });

const html = (res) => { assert.match(res.headers.get('content-type') || '', /^text\/html\b/i); return res.text; };
const og = (text, property) => text.match(new RegExp(`<meta property="${property}" content="([^"]*)"`))?.[1];

describe('HTTP status of the app\'s pages', () => {
  it('every route of web/src/app/App.tsx answers 200, /403 answers 403, anything else 404', async (t) => {
    if (!webBuilt) return t.skip('web app not built into build/bin/web');
    const { room } = await createRoom(k, owner.cookie);
    const paths = [...appRoutes.matchAll(/<Route path="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(paths.includes('/r/:slug') && paths.includes('*'), `read the routes: ${paths}`);
    for (const p of paths) {
      if (p === '*') continue;
      const res = await get(k, p.replace(':slug', room.slug));
      html(res);
      assert.equal(res.status, p === '/403' ? 403 : 200, p);
    }
    for (const p of ['/nowhere', '/r/', '/r/unknownslug', '/r/x/y', '/login/extra']) {
      assert.equal((await get(k, p)).status, 404, p);
    }
  });

  it('a private room answers 403 without a grant and says nothing about the room; 200 once joined', async (t) => {
    if (!webBuilt) return t.skip('web app not built into build/bin/web');
    const { room } = await createRoom(k, owner.cookie, { title: 'Secret screening', visibility: 'private', password: 'popcorn-42' });
    const door = await get(k, `/r/${room.slug}`);
    assert.equal(door.status, 403);
    assert.ok(!html(door).includes('Secret screening'), 'the title is not in the page');
    assert.equal(og(door.text, 'og:title'), undefined);
    assert.match(door.text, /<meta name="robots" content="noindex"/);
    assert.equal((await get(k, `/r/${room.slug}`, { cookie: owner.cookie })).status, 200, 'its owner');
    const join = await post(k, `/api/v1/rooms/${room.slug}/join`, { key: 'popcorn-42', display_name: 'Gus' });
    assert.equal(join.status, 200, join.text);
    const guest = await get(k, `/r/${room.slug}`, { cookie: guestCookieFrom(join) });
    assert.equal(guest.status, 200, 'a guest with a grant');
    assert.equal(og(guest.text, 'og:title'), undefined, 'no preview of a private room, even for a guest');
  });
});

describe('link previews of public rooms (Open Graph)', () => {
  it('carry the title, host and link, escaped, and the page title', async (t) => {
    if (!webBuilt) return t.skip('web app not built into build/bin/web');
    const { room } = await createRoom(k, owner.cookie, { title: 'Films & "friends" <tonight>', description: 'Bring popcorn.' });
    const res = await get(k, `/r/${room.slug}`);
    assert.equal(res.status, 200);
    const text = html(res);
    assert.equal(og(text, 'og:title'), 'Films &amp; &quot;friends&quot; &lt;tonight&gt;');
    assert.equal(og(text, 'og:description'), 'Hosted by Olga &quot;O&quot; &lt;Owner&gt; · Bring popcorn.');
    assert.equal(og(text, 'og:url'), `${k.url}/r/${room.slug}`);
    assert.match(text, /<title>Films &amp; &quot;friends&quot; &lt;tonight&gt; · Kino<\/title>/);
    assert.ok(!text.includes('<tonight>'), 'nothing unescaped');
    assert.match(res.headers.get('cache-control') || '', /private/);
  });
});

describe('the door of a private room (GET /api/v1/rooms/{slug} without a grant)', () => {
  it('is 403 room_private with the title, the host and the kind of key, and nothing else', async () => {
    const { room } = await createRoom(k, owner.cookie, { title: 'Secret screening', description: 'Do not tell', visibility: 'private' });
    const res = await get(k, `/api/v1/rooms/${room.slug}`);
    assert.equal(res.status, 403);
    assert.equal(res.json.error.code, 'room_private');
    assert.deepEqual(res.json.door, { title: 'Secret screening', host: { display_name: 'Olga "O" <Owner>' }, protected_by: 'access_key' });
    assert.ok(!res.text.includes('Do not tell'), 'no description');
    assert.equal((await get(k, '/api/v1/rooms/unknownslug')).status, 404);
  });
});
