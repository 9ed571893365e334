import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  diarizationErrorRate,
  equalSplitBaseline,
  oneSpeakerBaseline,
  speakerCountError,
  type DiarizationErrors,
  type SpeakerSegment,
} from './support/diarization-error-rate.js';

const segment = (speaker: string, start: number, end: number): SpeakerSegment => ({ start, end, speaker });
const NO_COLLAR = { collarSeconds: 0 };

/** Each field to within float rounding: interval ends like 4.75 are not exact in binary. */
function assertErrors(actual: DiarizationErrors, expected: DiarizationErrors): void {
  for (const key of Object.keys(expected) as (keyof DiarizationErrors)[]) {
    assert.ok(Math.abs(actual[key] - expected[key]) < 1e-9, `${key}: ${actual[key]}, expected ${expected[key]}`);
  }
}

/** Two speakers, five seconds each, one after the other. */
const HALVES = [segment('A', 0, 5), segment('B', 5, 10)];

describe('diarization error rate', () => {
  it('is 0 for the reference itself', () => {
    assertErrors(diarizationErrorRate(HALVES, HALVES, NO_COLLAR), { missed: 0, falseAlarm: 0, confusion: 0, total: 10, der: 0 });
  });

  it('does not care what the hypothesis calls its speakers', () => {
    const swapped = [segment('B', 0, 5), segment('A', 5, 10)];
    assertErrors(diarizationErrorRate(HALVES, swapped, NO_COLLAR), { missed: 0, falseAlarm: 0, confusion: 0, total: 10, der: 0 });
  });

  it('counts half of a two-speaker recording as confusion when one speaker is said to talk throughout', () => {
    assertErrors(diarizationErrorRate(HALVES, [segment('x', 0, 10)], NO_COLLAR), { missed: 0, falseAlarm: 0, confusion: 5, total: 10, der: 0.5 });
  });

  it('counts reference speech with no hypothesis speaker as missed', () => {
    const short = [segment('x', 0, 5), segment('y', 5, 8)];
    assertErrors(diarizationErrorRate(HALVES, short, NO_COLLAR), { missed: 2, falseAlarm: 0, confusion: 0, total: 10, der: 0.2 });
  });

  it('counts hypothesis speech where nobody talks as false alarm', () => {
    const long = [segment('x', 0, 5), segment('y', 5, 10), segment('y', 11, 13)];
    assertErrors(diarizationErrorRate(HALVES, long, NO_COLLAR), { missed: 0, falseAlarm: 2, confusion: 0, total: 10, der: 0.2 });
  });

  it('counts each speaker of overlapping reference speech, so one hypothesis speaker there misses the other', () => {
    const overlapping = [segment('A', 0, 6), segment('B', 4, 10)];
    const turns = [segment('x', 0, 5), segment('y', 5, 10)];
    assertErrors(diarizationErrorRate(overlapping, turns, NO_COLLAR), { missed: 2, falseAlarm: 0, confusion: 0, total: 12, der: 2 / 12 });
    const both = [segment('x', 0, 6), segment('y', 4, 10)];
    assertErrors(diarizationErrorRate(overlapping, both, NO_COLLAR), { missed: 0, falseAlarm: 0, confusion: 0, total: 12, der: 0 });
  });

  it('maps speakers for the most shared time overall, not greedily by the largest overlap', () => {
    // x shares 5 s with A and 4 s with B; y shares 4 s with A. Greedy x→A leaves y nothing (8 s
    // confused); x→B, y→A gets 8 s right (5 s confused).
    const reference = [segment('A', 0, 9), segment('B', 9, 13)];
    const hypothesis = [segment('x', 0, 5), segment('y', 5, 9), segment('x', 9, 13)];
    assertErrors(diarizationErrorRate(reference, hypothesis, NO_COLLAR), { missed: 0, falseAlarm: 0, confusion: 5, total: 13, der: 5 / 13 });
  });

  it('leaves out the collar around every reference boundary', () => {
    const late = [segment('x', 0, 5.2), segment('y', 5.2, 10)];
    assertErrors(diarizationErrorRate(HALVES, late, NO_COLLAR), { missed: 0, falseAlarm: 0, confusion: 0.2, total: 10, der: 0.02 });
    // Unscored: 0–0.25, 4.75–5.25 and 9.75–10 of the reference's speech.
    assertErrors(diarizationErrorRate(HALVES, late, { collarSeconds: 0.25 }), { missed: 0, falseAlarm: 0, confusion: 0, total: 9, der: 0 });
    // The collar hides only boundary error: a turn change 1 s late still costs 0.75 s.
    const later = [segment('x', 0, 6), segment('y', 6, 10)];
    assertErrors(diarizationErrorRate(HALVES, later, { collarSeconds: 0.25 }), { missed: 0, falseAlarm: 0, confusion: 0.75, total: 9, der: 0.75 / 9 });
  });

  it('counts an extra hypothesis speaker as confusion where it takes reference speech', () => {
    const split = [segment('x', 0, 5), segment('y', 5, 7), segment('z', 7, 10)];
    assertErrors(diarizationErrorRate(HALVES, split, NO_COLLAR), { missed: 0, falseAlarm: 0, confusion: 2, total: 10, der: 0.2 });
  });
});

describe('speaker count error', () => {
  it('is hypothesis speakers minus reference speakers', () => {
    assert.equal(speakerCountError(HALVES, HALVES), 0);
    assert.equal(speakerCountError(HALVES, [segment('x', 0, 10)]), -1);
    assert.equal(speakerCountError(HALVES, [segment('x', 0, 3), segment('y', 3, 6), segment('z', 6, 10), segment('x', 10, 11)]), 1);
  });
});

describe('baselines', () => {
  const reference = [segment('A', 1, 4), segment('B', 4.5, 7), segment('A', 7.5, 10)];

  it('one speaker spans the first reference start to the last reference end', () => {
    assert.deepEqual(oneSpeakerBaseline(reference), [segment('baseline-0', 1, 10)]);
  });

  it('the equal split cuts that span into one equal turn per speaker', () => {
    assert.deepEqual(equalSplitBaseline(reference, 3), [segment('baseline-0', 1, 4), segment('baseline-1', 4, 7), segment('baseline-2', 7, 10)]);
    assertErrors(diarizationErrorRate(HALVES, equalSplitBaseline(HALVES, 2), NO_COLLAR), { missed: 0, falseAlarm: 0, confusion: 0, total: 10, der: 0 });
  });
});
