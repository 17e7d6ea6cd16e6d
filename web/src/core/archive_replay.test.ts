import { describe, expect, it } from 'vitest';
import { filmPositionAt, placeMessages, shownAt, type TimelineEvent } from './archive_replay';

const T0 = 1_800_000_000_000; // the session's first instant
const at = (s: number) => T0 + s * 1000;
const ev = (seq: number, s: number, playing: boolean, position_s: number, rate = 1): TimelineEvent => ({ seq, at_ms: at(s), playing, position_s, rate });

// Ann starts the film at 0, pauses at 12:34 for a minute, plays on, seeks back to 10:00 later, and
// watches the rest at double speed.
const timeline = [
  ev(1, 10, true, 0),
  ev(2, 10 + 754, false, 754),       // paused at 12:34
  ev(3, 10 + 754 + 60, true, 754),   // a minute later: play
  ev(4, 10 + 754 + 60 + 300, true, 600), // 5 min later (at 17:34): seek back to 10:00
  ev(5, 10 + 754 + 60 + 300 + 120, true, 720, 2), // two minutes on, at 12:00: double speed
];

describe('archive replay', () => {
  it('a message written while the shared player stood at 12:34 belongs at 12:34', () => {
    expect(filmPositionAt(timeline, at(10 + 754))).toBe(754);
    expect(filmPositionAt(timeline, at(10 + 754 + 30))).toBe(754); // paused: still 12:34
    expect(filmPositionAt(timeline, at(10 + 100))).toBe(100);      // playing at rate 1
  });

  it('follows seeks and the rate; before the film started everything belongs at 0', () => {
    expect(filmPositionAt(timeline, at(5))).toBe(0);
    expect(filmPositionAt(timeline, at(10 + 754 + 60 + 300 + 10))).toBe(610); // after the seek back
    expect(filmPositionAt(timeline, at(10 + 754 + 60 + 300 + 120 + 10))).toBe(740); // 2× from 12:00
  });

  it('a change counts from the instant it took effect, and never runs past the end', () => {
    const scheduled = [ev(1, 0, true, 0), ev(2, 10, false, 10)]; // sent earlier, in force at 10 s
    expect(filmPositionAt(scheduled, at(9.5))).toBe(9.5);
    expect(filmPositionAt([ev(1, 0, true, 0)], at(500), 120)).toBe(120);
    expect(filmPositionAt([ev(1, 0, true, 3), ev(2, 0, true, 7)], at(1))).toBe(8); // same instant: the later seq
  });

  it('places messages in film order, and shows those the replay has reached', () => {
    const messages = [
      { seq: 1, sent_at_ms: at(2), text: 'hi before it starts' },
      { seq: 2, sent_at_ms: at(10 + 700), text: 'at 11:40, first pass' },
      { seq: 3, sent_at_ms: at(10 + 754 + 20), text: 'paused at 12:34' },
      { seq: 4, sent_at_ms: at(10 + 754 + 60 + 300 + 30), text: 'at 10:30, second pass' },
    ];
    const placed = placeMessages(timeline, messages);
    expect(placed.map((m) => [m.seq, m.film_s])).toEqual([[1, 0], [4, 630], [2, 700], [3, 754]]);
    expect(shownAt(placed, 0)).toBe(1);
    expect(shownAt(placed, 629.9)).toBe(1);
    expect(shownAt(placed, 700)).toBe(3);
    expect(shownAt(placed, 10_000)).toBe(4);
    expect(shownAt([], 5)).toBe(0);
  });
});
