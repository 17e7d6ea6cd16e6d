// GET /api/v1/rooms/{slug}/archive: who was in the room and when. Each person's visits run from
// their first connection to their last one leaving; a second tab is the same visit; a person
// without a grant (the owner of a public room) is listed too; ending the room closes every visit
// still open at the end time. docs/api/openapi.yaml (getArchive).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKino } from '../lib/kino.mjs';
import { get, post, registerUser, relaxedLimits, createRoom, sleep } from './http.mjs';
import { connect, joinedUser, closeAllSockets } from './ws_client.mjs';

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const at = (s) => Date.parse(s);

/** The archive once `ready(archive)` holds (visits are written a moment after the join), ≤ 5 s. */
async function archiveWhen(k, slug, cookie, ready, what) {
  const until = Date.now() + 5000;
  for (;;) {
    const res = await get(k, `/api/v1/rooms/${slug}/archive`, { cookie });
    assert.equal(res.status, 200, res.text);
    if (ready(res.json)) return res.json;
    if (Date.now() > until) assert.fail(`archive never showed ${what}: ${JSON.stringify(res.json.people)}`);
    await sleep(50);
  }
}

describe('the archive: who was there and when', () => {
  let k;
  let owner;
  before(async () => {
    k = await startKino({ env: { ...relaxedLimits } });
    owner = await registerUser(k, { display_name: 'Ann' });
  });
  after(async () => {
    closeAllSockets();
    await k?.stop();
  });

  it('lists both people with their joins and leaves in order; the end closes the visits still open', async () => {
    const { room } = await createRoom(k, owner.cookie, { title: 'Visits' });
    const ann = await connect(k, room.slug, { cookie: owner.cookie, label: 'Ann' });
    const annId = ann.hello.member_id;
    const bob = await joinedUser(k, room.slug, { display_name: 'Bob' });
    const bob1 = await connect(k, room.slug, { cookie: bob.cookie, label: 'Bob' });
    await ann.waitJoined(bob.memberId);
    const bobTab = await connect(k, room.slug, { cookie: bob.cookie, label: 'Bob tab 2' });

    // Live: both are in, their visits open.
    const live = await archiveWhen(k, room.slug, bob.cookie,
      (a) => a.people.length === 2 && a.people.every((p) => p.visits.length === 1), 'two open visits');
    assert.deepEqual(live.people.map((p) => [p.id, p.name]), [[annId, 'Ann'], [bob.memberId, 'Bob']],
      'in the order they first came; Ann, the owner of a public room, has no grant');
    for (const p of live.people) {
      assert.match(p.visits[0].joined_at, RFC3339);
      assert.equal(p.visits[0].left_at, null, `${p.name} is still in the room`);
    }

    // Bob closes one tab (still in), then the other (gone), and comes back later.
    await bobTab.close();
    await sleep(100);
    const leftFrom = ann.frames.length;
    await bob1.close();
    await ann.waitLeft(bob.memberId, 5000, leftFrom);
    await archiveWhen(k, room.slug, owner.cookie,
      (a) => a.people.find((p) => p.id === bob.memberId)?.visits[0].left_at !== null, "Bob's leave");
    await sleep(50);
    const joinedFrom = ann.frames.length;
    await connect(k, room.slug, { cookie: bob.cookie, label: 'Bob again' });
    await ann.waitJoined(bob.memberId, 5000, joinedFrom);
    await archiveWhen(k, room.slug, owner.cookie,
      (a) => a.people.find((p) => p.id === bob.memberId)?.visits.length === 2, "Bob's second visit");

    assert.equal((await post(k, `/api/v1/rooms/${room.slug}/end`, {}, { cookie: owner.cookie })).status, 200);
    const ended = await archiveWhen(k, room.slug, bob.cookie, () => true, 'the ended room');
    assert.equal(ended.room.status, 'ended');
    const endAt = at(ended.room.ended_at);
    assert.deepEqual(ended.people.map((p) => p.name), ['Ann', 'Bob']);
    const [a, b] = ended.people;
    for (const p of ended.people) {
      assert.deepEqual(Object.keys(p).sort(), ['id', 'joined_at', 'name', 'visits']);
      for (const v of p.visits) {
        assert.deepEqual(Object.keys(v).sort(), ['joined_at', 'left_at']);
        assert.match(v.joined_at, RFC3339);
        assert.match(v.left_at, RFC3339, `${p.name}: every visit of an ended room has ended`);
        assert.ok(at(v.joined_at) <= at(v.left_at), `${p.name}: joined before leaving`);
        assert.ok(at(v.left_at) <= endAt, `${p.name}: no visit reaches past the end`);
      }
    }
    assert.equal(a.visits.length, 1, 'Ann never left until the end');
    assert.equal(at(a.visits[0].left_at), endAt, "the end closed Ann's visit at the end time");
    assert.equal(b.visits.length, 2, 'two tabs are one visit; coming back is a second');
    assert.ok(at(a.visits[0].joined_at) <= at(b.visits[0].joined_at), 'Ann came first');
    assert.ok(at(b.visits[0].left_at) <= at(b.visits[1].joined_at), "Bob's visits in order, apart");
    assert.ok(at(b.visits[0].left_at) < endAt, 'Bob left before the end');
    assert.equal(at(b.visits[1].left_at), endAt, "the end closed Bob's second visit");
  });
});
