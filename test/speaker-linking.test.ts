import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EmbeddedTurn } from '@stt/shared';
import { speakerTurns } from '../packages/api-server/src/diarization/diarization-task.js';
import { wordSpeakers } from '../packages/api-server/src/diarization/word-speakers.js';

/** A unit-ish embedding near axis `voice` of an 8-dimensional space, with a little of `noise`. */
const voice = (axis: number, noise: number): number[] => Array.from({ length: 8 }, (_, i) => (i === axis ? 1 : 0) + noise * Math.sin(7 * i + axis + noise));

/**
 * What the API server does with a neural diarizer's evidence (no such model can be had here, so
 * its turns are made up): each worker numbers its segment's speakers its own way, and the server
 * links them across segments by their embeddings, then gives each word the speaker of its turn.
 */
describe('speakers linked across segments, words labelled', () => {
  // Three segments from three workers: the same two voices, numbered differently in each.
  const segments: EmbeddedTurn[][] = [
    [
      { start: 0, end: 2, local_speaker: 0, embedding: voice(0, 0.05) },
      { start: 2.5, end: 4, local_speaker: 1, embedding: voice(3, 0.1) },
    ],
    [
      { start: 4.2, end: 6, local_speaker: 0, embedding: voice(3, 0.08) },
      { start: 6.4, end: 9, local_speaker: 1, embedding: voice(0, 0.12) },
    ],
    [{ start: 9.5, end: 12, local_speaker: 0, embedding: voice(3, 0.02) }],
  ];
  const evidence = segments.map((turns) => ({ kind: 'embedded-turns' as const, turns }));

  test('one label per voice across segments, numbered by first appearance', () => {
    const turns = speakerTurns(evidence, { min: 1, max: 8 });
    assert.deepEqual(turns.map((turn) => turn.speaker), [0, 1, 1, 0, 1]);
  });

  test('count bounds win over the estimate: max 1 joins them, min 3 splits one voice', () => {
    assert.deepEqual(new Set(speakerTurns(evidence, { min: 1, max: 1 }).map((turn) => turn.speaker)), new Set([0]));
    assert.equal(new Set(speakerTurns(evidence, { min: 3, max: 3 }).map((turn) => turn.speaker)).size, 3);
  });

  test('a segment whose worker sent no evidence, or no speech at all: its words go to the nearest turn', () => {
    const turns = speakerTurns([evidence[0], undefined, evidence[2]], { min: 1, max: 8 });
    assert.deepEqual(turns.map((turn) => turn.speaker), [0, 1, 1]);
    const word = (start: number, end: number) => ({ word: 'w', start, end, confidence: 1 });
    // Turns 0–2 s (0), 2.5–4 s (1), 9.5–12 s (1): the two words between the first two are in neither.
    const words = wordSpeakers([word(0.5, 0.9), word(2.05, 2.2), word(2.3, 2.45), word(11, 11.5)], turns);
    assert.deepEqual(words, [0, 0, 1, 1]);
    assert.deepEqual(speakerTurns([undefined], { min: 1, max: 8 }), []);
    assert.deepEqual(wordSpeakers([word(0, 1)], []), [0]);
  });

  test('speakers are renumbered by their first word: one with no words leaves no gap', () => {
    const word = (start: number) => ({ word: 'w', start, end: start + 0.3, confidence: 1 });
    const turns = [
      { start: 0, end: 1, speaker: 0 },
      { start: 1, end: 2, speaker: 1 },
      { start: 2, end: 3, speaker: 2 },
    ];
    assert.deepEqual(wordSpeakers([word(0.2), word(2.2), word(0.5)], turns), [0, 1, 0]);
  });
});
