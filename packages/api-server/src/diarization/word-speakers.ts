import type { WordTime } from './diarization-task.js';
import type { SpeakerTurn } from './speaker-turn.js';

/**
 * Each word's speaker: that of the turn it overlaps most, or of the nearest turn when it
 * overlaps none (the recogniser's word times and the diarizer's speech regions differ by a few
 * frames); speakers are then numbered 0… by their first word, so a speaker without words leaves
 * no gap. Without turns (no speech found), every word is speaker 0. Every turn is weighed for
 * every word: an hour holds some thousands of each, some tens of milliseconds on a thread.
 */
export function wordSpeakers(words: readonly WordTime[], turns: readonly SpeakerTurn[]): number[] {
  const renumber = new Map<number, number>();
  return words.map((word) => {
    let best = { speaker: 0, score: -Infinity };
    for (const turn of turns) {
      // Overlap in seconds when positive; minus the gap between them when not.
      const score = Math.min(turn.end, word.end) - Math.max(turn.start, word.start);
      if (score > best.score) best = { speaker: turn.speaker, score };
    }
    if (!renumber.has(best.speaker)) renumber.set(best.speaker, renumber.size);
    return renumber.get(best.speaker)!;
  });
}
