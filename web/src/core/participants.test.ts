import { describe, expect, it } from 'vitest';
import { ParticipantList } from './participants';
import type { Participant } from './room_protocol';

const p = (id: string, name: string, extra: Partial<Participant> = {}): Participant => ({ id, member_id: `m-${id}`, name, mic: false, camera: false, ...extra });
const ids = (l: ParticipantList) => l.list().map((x) => `${x.id}:${x.mic ? 'M' : '-'}${x.camera ? 'C' : '-'}`);

describe('ParticipantList', () => {
  it('takes the snapshot in its order, skipping malformed entries', () => {
    const l = new ParticipantList();
    l.reset([p('p2', 'Bo', { camera: true }), { id: 5 }, null, p('p1', 'Ada', { mic: true }), { name: 'no id' }]);
    expect(ids(l)).toEqual(['p2:-C', 'p1:M-']);
    l.reset(undefined);
    expect(l.list()).toEqual([]);
  });

  it('applies joins, leaves and media states as set operations (table)', () => {
    const cases: Array<{ name: string; frames: Array<Record<string, unknown> & { type: string }>; want: string[]; changed: boolean[] }> = [
      { name: 'join appends', frames: [{ type: 'participant.joined', seq: 5, participant: p('p3', 'Cy') }], want: ['p1:--', 'p2:-C', 'p3:--'], changed: [true] },
      { name: 'leave removes at once', frames: [{ type: 'participant.left', seq: 5, participant_id: 'p1' }], want: ['p2:-C'], changed: [true] },
      { name: 'leave of an unknown id is nothing', frames: [{ type: 'participant.left', seq: 5, participant_id: 'zz' }], want: ['p1:--', 'p2:-C'], changed: [false] },
      {
        name: 'media.state updates in place',
        frames: [
          { type: 'media.state', seq: 5, participant_id: 'p1', mic: true, camera: true },
          { type: 'media.state', seq: 6, participant_id: 'p1', mic: true, camera: true },
          { type: 'media.state', seq: 7, participant_id: 'p2', camera: false },
        ],
        want: ['p1:MC', 'p2:--'],
        changed: [true, false, true],
      },
      { name: 'media.state of an unknown participant is ignored', frames: [{ type: 'media.state', seq: 5, participant_id: 'zz', mic: true }], want: ['p1:--', 'p2:-C'], changed: [false] },
      {
        name: 'a replayed join keeps the known state and place',
        frames: [{ type: 'participant.joined', seq: 3, participant: p('p1', 'Ada') }],
        want: ['p1:--', 'p2:-C'],
        changed: [true],
      },
      {
        name: 'a replayed join of someone with a camera on keeps it on',
        frames: [{ type: 'participant.joined', seq: 3, participant: p('p2', 'Bo') }],
        want: ['p1:--', 'p2:-C'],
        changed: [true],
      },
      { name: 'other frames are ignored', frames: [{ type: 'chat.message', seq: 5 }, { type: 'participant.joined', seq: 6, participant: { id: 1 } }], want: ['p1:--', 'p2:-C'], changed: [false, false] },
    ];
    for (const c of cases) {
      const l = new ParticipantList();
      l.reset([p('p1', 'Ada'), p('p2', 'Bo', { camera: true })]);
      const changed = c.frames.map((f) => l.apply(f));
      expect(ids(l), c.name).toEqual(c.want);
      expect(changed, c.name).toEqual(c.changed);
    }
  });

  it('keeps the same array until something changes', () => {
    const l = new ParticipantList();
    l.reset([p('p1', 'Ada')]);
    const before = l.list();
    l.apply({ type: 'media.state', seq: 2, participant_id: 'p1', mic: false, camera: false });
    expect(l.list()).toBe(before);
    l.apply({ type: 'media.state', seq: 3, participant_id: 'p1', mic: true, camera: false });
    expect(l.list()).not.toBe(before);
  });
});
