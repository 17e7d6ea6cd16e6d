// GET /api/v1/rooms/{slug}/calendar.ics: headers, access rule, and the iCalendar text (RFC 5545) parsed by a
// small strict parser: CRLF only, physical lines ≤ 75 octets and valid UTF-8 each, folding undone,
// BEGIN/END nesting, required properties, times, and text unescaping.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKino } from '../lib/kino.mjs';
import {
  get, post, request, assertError, registerUser, relaxedLimits, createRoom, serverIso, guestCookieFrom,
} from './http.mjs';

// ---- a small iCalendar parser ----

/** Splits raw bytes into physical lines; asserts CRLF endings only (no bare LF or CR) and a final CRLF. */
function physicalLines(bytes) {
  const buf = Buffer.from(bytes);
  const lines = [];
  let start = 0;
  for (let i = 0; i < buf.length; i += 1) {
    if (buf[i] === 0x0a) {
      assert.ok(i > 0 && buf[i - 1] === 0x0d, `bare LF at byte ${i}: ${JSON.stringify(buf.subarray(Math.max(0, i - 40), i + 1).toString())}`);
      lines.push(buf.subarray(start, i - 1));
      start = i + 1;
    } else if (buf[i] === 0x0d) {
      assert.ok(buf[i + 1] === 0x0a, `bare CR at byte ${i}`);
    }
  }
  assert.equal(start, buf.length, 'the body ends with CRLF');
  return lines;
}

/** Unfolds physical lines (a line starting with a space or tab continues the previous one) into content lines. */
function unfold(lines) {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const out = [];
  lines.forEach((bytes, i) => {
    let text;
    try { text = decoder.decode(bytes); } catch { assert.fail(`line ${i + 1} is not valid UTF-8 on its own (folded inside a character?)`); }
    if (text.startsWith(' ') || text.startsWith('\t')) {
      assert.ok(out.length > 0, 'the first line is not a continuation');
      out[out.length - 1] += text.slice(1);
    } else {
      out.push(text);
    }
  });
  return out;
}

/** Parses one content line `NAME;PARAM=V:VALUE` (params never contain ':' here; quoted params are skipped over). */
function parseContentLine(line) {
  let i = 0;
  let inQuote = false;
  for (; i < line.length; i += 1) {
    const ch = line[i];
    if (ch === '"') inQuote = !inQuote;
    else if (ch === ':' && !inQuote) break;
  }
  assert.ok(i < line.length, `content line without ':': ${JSON.stringify(line)}`);
  const [name, ...params] = line.slice(0, i).split(';');
  assert.match(name, /^[A-Za-z0-9-]+$/, `property name: ${JSON.stringify(line)}`);
  return { name: name.toUpperCase(), params, value: line.slice(i + 1) };
}

/** Builds the component tree; asserts BEGIN/END nesting. Returns the single top-level component. */
function parseComponents(contentLines) {
  const stack = [];
  let root;
  for (const line of contentLines) {
    const prop = parseContentLine(line);
    if (prop.name === 'BEGIN') {
      assert.ok(stack.length > 0 || root === undefined, `only one top-level component (${prop.value})`);
      const comp = { name: prop.value.toUpperCase(), props: [], children: [] };
      if (stack.length) stack[stack.length - 1].children.push(comp);
      else root = comp;
      stack.push(comp);
    } else if (prop.name === 'END') {
      assert.ok(stack.length > 0, `END:${prop.value} without BEGIN`);
      const open = stack.pop();
      assert.equal(prop.value.toUpperCase(), open.name, `END:${prop.value} closes BEGIN:${open.name}`);
    } else {
      assert.ok(stack.length > 0, `property outside any component: ${line}`);
      stack[stack.length - 1].props.push(prop);
    }
  }
  assert.equal(stack.length, 0, `unclosed components: ${stack.map((c) => c.name)}`);
  assert.ok(root, 'a component');
  return root;
}

/** The only property `name` of a component (asserts exactly one). */
function prop(comp, name) {
  const found = comp.props.filter((p) => p.name === name);
  assert.equal(found.length, 1, `${comp.name} has exactly one ${name}: ${JSON.stringify(found)}`);
  return found[0];
}

/** RFC 5545 TEXT unescaping; asserts no unescaped ',' or ';' and no unknown escape. */
function unescapeText(value) {
  let out = '';
  for (let i = 0; i < value.length; i += 1) {
    const ch = value[i];
    if (ch === '\\') {
      const next = value[i + 1];
      if (next === '\\' || next === ';' || next === ',') out += next;
      else if (next === 'n' || next === 'N') out += '\n';
      else assert.fail(`bad escape \\${next} in ${JSON.stringify(value)}`);
      i += 1;
    } else {
      assert.ok(ch !== ',' && ch !== ';', `unescaped ${ch} in TEXT ${JSON.stringify(value)}`);
      out += ch;
    }
  }
  return out;
}

/** A UTC DATE-TIME (`YYYYMMDDTHHMMSSZ`) in ms; asserts the form. */
function parseUtc(p) {
  assert.equal(p.params.length, 0, `${p.name} has no TZID/VALUE params: ${p.params}`);
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(p.value);
  assert.ok(m, `${p.name} is a UTC date-time: ${p.value}`);
  const [, y, mo, d, h, mi, s] = m.map(Number);
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  assert.equal(new Date(ms).getUTCDate(), d, `${p.name} is a real date: ${p.value}`);
  return ms;
}

/** Parses a whole .ics body: returns {lines, calendar, event}. */
function parseIcs(bytes) {
  const lines = physicalLines(bytes);
  lines.forEach((l, i) => {
    assert.ok(l.length <= 75, `physical line ${i + 1} is ${l.length} octets (> 75): ${JSON.stringify(l.toString())}`);
    assert.ok(l.length > 0, `physical line ${i + 1} is empty`);
  });
  const content = unfold(lines);
  const calendar = parseComponents(content);
  assert.equal(calendar.name, 'VCALENDAR');
  assert.equal(prop(calendar, 'VERSION').value, '2.0');
  assert.ok(prop(calendar, 'PRODID').value.length > 0, 'PRODID');
  const events = calendar.children.filter((c) => c.name === 'VEVENT');
  assert.equal(events.length, 1, 'exactly one VEVENT');
  const event = events[0];
  for (const name of ['UID', 'DTSTAMP', 'DTSTART', 'DTEND', 'SUMMARY', 'DESCRIPTION', 'URL']) prop(event, name);
  return { lines, content, calendar, event };
}

const floorToSecond = (iso) => Math.floor(Date.parse(iso) / 1000) * 1000;

// ---- parser self-checks: the parser must be able to reject what it is meant to catch ----

describe('the test parser itself', () => {
  const ok = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20300101T000000Z\r\n'
    + 'DTSTART:20300101T000000Z\r\nDTEND:20300101T010000Z\r\nSUMMARY:a\\, b\r\n c\r\nDESCRIPTION:d\r\nURL:u\r\n'
    + 'END:VEVENT\r\nEND:VCALENDAR\r\n';
  it('accepts a minimal calendar and unfolds', () => {
    const { event } = parseIcs(Buffer.from(ok));
    assert.equal(unescapeText(prop(event, 'SUMMARY').value), 'a, bc');
  });
  it('rejects a bare LF, a long line, bad nesting, a missing property, an unescaped comma', () => {
    assert.throws(() => parseIcs(Buffer.from(ok.replace('UID:1\r\n', 'UID:1\n'))), /bare LF/);
    assert.throws(() => parseIcs(Buffer.from(ok.replace('UID:1', `UID:${'x'.repeat(80)}`))), /octets/);
    assert.throws(() => parseIcs(Buffer.from(ok.replace('END:VEVENT\r\nEND:VCALENDAR', 'END:VCALENDAR\r\nEND:VEVENT'))), /closes/);
    assert.throws(() => parseIcs(Buffer.from(ok.replace('URL:u\r\n', ''))), /exactly one URL/);
    assert.throws(() => unescapeText('a, b'), /unescaped/);
    assert.throws(() => unfold(physicalLines(Buffer.from([0x41, 0xc3, 0x0d, 0x0a, 0x20, 0xa9, 0x0d, 0x0a]))), /UTF-8/);
  });
});

// ---- the server's calendar ----

let k;
let owner;
before(async () => {
  k = await startKino({ env: { ...relaxedLimits, KINO_ROOMS_CREATE_USER_MAX_PER_HOUR: '1000' } });
  owner = await registerUser(k, { display_name: 'Olga Owner' });
});
after(async () => { await k?.stop(); });

/** GET calendar.ics as raw bytes. */
async function fetchIcs(slug, cookie) {
  const res = await fetch(`${k.url}/api/v1/rooms/${slug}/calendar.ics`, { headers: cookie ? { Cookie: cookie } : {} });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes, text: bytes.toString('utf8') };
}
async function icsOf(slug, cookie) {
  const res = await fetchIcs(slug, cookie);
  assert.equal(res.status, 200, `calendar.ics: ${res.status} ${res.text.slice(0, 300)}`);
  return { res, ...parseIcs(res.bytes) };
}

describe('GET /api/v1/rooms/{slug}/calendar.ics', () => {
  it('is text/calendar, an attachment named .ics', async () => {
    const { room } = await createRoom(k, owner.cookie);
    const res = await fetchIcs(room.slug);
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type') || '', /^text\/calendar\b/i);
    const cd = res.headers.get('content-disposition') || '';
    assert.match(cd, /^attachment\b/i, `Content-Disposition: ${cd}`);
    assert.match(cd, /filename="?[^";]+\.ics"?/i, `a .ics filename: ${cd}`);
  });

  it('describes a scheduled room: DTSTART = starts_at, DTEND - DTSTART = duration, SUMMARY, URL, UID', async () => {
    const startsAt = serverIso(k, 26 * 3600);
    const { room } = await createRoom(k, owner.cookie, { title: 'Film club', starts_at: startsAt, duration_minutes: 95 });
    const { event } = await icsOf(room.slug);
    const dtstart = parseUtc(prop(event, 'DTSTART'));
    const dtend = parseUtc(prop(event, 'DTEND'));
    assert.equal(dtstart, floorToSecond(room.starts_at), `DTSTART ${prop(event, 'DTSTART').value} vs ${room.starts_at}`);
    assert.equal(dtend - dtstart, 95 * 60_000, 'DTEND - DTSTART = duration_minutes');
    assert.equal(unescapeText(prop(event, 'SUMMARY').value), 'Film club');
    assert.equal(prop(event, 'URL').value, room.url);
    assert.ok(prop(event, 'UID').value.length > 0);
    const stamp = parseUtc(prop(event, 'DTSTAMP'));
    assert.ok(Math.abs(stamp - Date.now()) < 5 * 60_000, `DTSTAMP is about now: ${prop(event, 'DTSTAMP').value}`);
    assert.equal(event.props.some((p) => p.name === 'STATUS' && p.value === 'CANCELLED'), false);
  });

  it('uses live_at as DTSTART for an unscheduled room, with the room default duration', async () => {
    const { room } = await createRoom(k, owner.cookie);
    const { event } = await icsOf(room.slug);
    const dtstart = parseUtc(prop(event, 'DTSTART'));
    assert.equal(dtstart, floorToSecond(room.live_at), `DTSTART ${prop(event, 'DTSTART').value} vs live_at ${room.live_at}`);
    assert.equal(parseUtc(prop(event, 'DTEND')) - dtstart, room.duration_minutes * 60_000);
  });

  it('escapes , ; \\ in SUMMARY so that it unescapes back to the title', async () => {
    const title = 'Kino, night; back\\slash \\, and ;; ,,';
    const { room } = await createRoom(k, owner.cookie, { title });
    assert.equal(room.title, title);
    const { event } = await icsOf(room.slug);
    assert.equal(unescapeText(prop(event, 'SUMMARY').value), title);
  });

  it('escapes newlines and specials in DESCRIPTION, which carries the room description', async () => {
    const description = 'First line, with comma;\nsecond line \\ backslash\n\nlast';
    const { room } = await createRoom(k, owner.cookie, { description });
    const { event, content } = await icsOf(room.slug);
    const text = unescapeText(prop(event, 'DESCRIPTION').value);
    assert.ok(text.includes(description), `DESCRIPTION ${JSON.stringify(text)} contains the description`);
    assert.ok(content.every((l) => !l.includes('\n')), 'no raw newline inside a content line');
  });

  it('folds long lines at 75 octets without splitting UTF-8 characters, and unfolds back to the title', async () => {
    const titles = [
      'A'.repeat(120),
      'é'.repeat(120), // 240 octets
      '日本語のタイトル'.repeat(15), // 120 characters, 360 octets
      `${'x'.repeat(63)}😀😀😀 ${'y'.repeat(40)}`, // 4-byte characters right at the first fold
      ',;\\'.repeat(40),
    ];
    for (const title of titles) {
      const { room } = await createRoom(k, owner.cookie, { title, description: 'ü'.repeat(500) });
      const { event, lines } = await icsOf(room.slug);
      assert.ok(lines.some((l) => l[0] === 0x20), 'some line was folded');
      assert.equal(unescapeText(prop(event, 'SUMMARY').value), title);
      assert.ok(unescapeText(prop(event, 'DESCRIPTION').value).includes('ü'.repeat(500)));
    }
  });

  it('keeps the UID stable across downloads and distinct between rooms', async () => {
    const a = (await createRoom(k, owner.cookie)).room;
    const b = (await createRoom(k, owner.cookie)).room;
    const uidA1 = prop((await icsOf(a.slug)).event, 'UID').value;
    const uidA2 = prop((await icsOf(a.slug)).event, 'UID').value;
    const uidB = prop((await icsOf(b.slug)).event, 'UID').value;
    assert.equal(uidA1, uidA2);
    assert.notEqual(uidA1, uidB);
  });

  it('follows edits: new title, start and duration', async () => {
    const { room } = await createRoom(k, owner.cookie, { starts_at: serverIso(k, 3600), duration_minutes: 30 });
    const startsAt = serverIso(k, 48 * 3600);
    const res = await request(k, 'PATCH', `/api/v1/rooms/${room.slug}`,
      { body: { title: 'Renamed, again', starts_at: startsAt, duration_minutes: 200 }, cookie: owner.cookie });
    assert.equal(res.status, 200, res.text);
    const { event } = await icsOf(room.slug);
    assert.equal(unescapeText(prop(event, 'SUMMARY').value), 'Renamed, again');
    const dtstart = parseUtc(prop(event, 'DTSTART'));
    assert.equal(dtstart, floorToSecond(startsAt));
    assert.equal(parseUtc(prop(event, 'DTEND')) - dtstart, 200 * 60_000);
  });

  it('says STATUS:CANCELLED for a cancelled room', async () => {
    const { room } = await createRoom(k, owner.cookie, { starts_at: serverIso(k, 3600) });
    const endRes = await post(k, `/api/v1/rooms/${room.slug}/end`, {}, { cookie: owner.cookie });
    assert.equal(endRes.status, 200, endRes.text);
    assert.equal(endRes.json.room.ended_reason, 'cancelled');
    const { event } = await icsOf(room.slug);
    assert.equal(prop(event, 'STATUS').value, 'CANCELLED');
    assert.equal(parseUtc(prop(event, 'DTSTART')), floorToSecond(room.starts_at), 'still the planned start');
  });

  describe('access', () => {
    it('answers 404 room_not_found for an unknown room', async () => {
      const res = await get(k, '/api/v1/rooms/zzzzzzzzzz/calendar.ics');
      assertError(res, 404, 'room_not_found');
    });

    it('serves a public room to anyone', async () => {
      const { room } = await createRoom(k, owner.cookie);
      assert.equal((await fetchIcs(room.slug)).status, 200);
    });

    it('answers 403 room_private for a private room without a grant; serves it to the owner and to a guest with a grant', async () => {
      const { room, access_key: key } = await createRoom(k, owner.cookie, { visibility: 'private', title: 'Secret title' });
      const denied = await get(k, `/api/v1/rooms/${room.slug}/calendar.ics`);
      assertError(denied, 403, 'room_private');
      assert.ok(!denied.text.includes('Secret title'));
      const stranger = await registerUser(k);
      assertError(await get(k, `/api/v1/rooms/${room.slug}/calendar.ics`, { cookie: stranger.cookie }), 403, 'room_private');
      assert.equal(unescapeText(prop((await icsOf(room.slug, owner.cookie)).event, 'SUMMARY').value), 'Secret title');
      const joined = await post(k, `/api/v1/rooms/${room.slug}/join`, { display_name: 'Guest', key });
      assert.equal(joined.status, 200, joined.text);
      assert.equal(unescapeText(prop((await icsOf(room.slug, guestCookieFrom(joined))).event, 'SUMMARY').value), 'Secret title');
    });
  });
});
