import type { TranscriptWord } from '../transcription/batch-transcript.js';
import type { SpeakerTurn } from './speaker-turn.js';

/**
 * Each word takes the speaker of the turn it overlaps most, or of the nearest turn when it
 * overlaps none (the recogniser's word times and the diarizer's speech regions differ by a few
 * frames); speakers are then numbered 0… by their first word, so a speaker without words leaves
 * no gap. Without turns (no speech found), every word is speaker 0.
 */
export function wordsBySpeaker(words: readonly TranscriptWord[], turns: readonly SpeakerTurn[]): TranscriptWord[] {
  const sorted = [...turns].sort((a, b) => a.start - b.start);
  const renumber = new Map<number, number>();
  let first = 0; // the first turn that can still matter: words come in time order
  return words.map((word) => {
    while (first + 1 < sorted.length && sorted[first]!.end < word.start && sorted[first + 1]!.start <= word.start) first++;
    let best: { speaker: number; score: number } = { speaker: 0, score: -Infinity };
    for (let t = first; t < sorted.length; t++) {
      const turn = sorted[t]!;
      if (turn.start > word.end && best.score > -Infinity) break;
      // Overlap in seconds when positive; minus the gap between them when not.
      const score = Math.min(turn.end, word.end) - Math.max(turn.start, word.start);
      if (score > best.score) best = { speaker: turn.speaker, score };
    }
    if (!renumber.has(best.speaker)) renumber.set(best.speaker, renumber.size);
    return { ...word, speaker: renumber.get(best.speaker)! };
  });
}
