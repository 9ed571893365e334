import { diarizationErrorRate, speakerCountError, type SpeakerSegment } from './diarization-error-rate.js';
import type { Dialogue } from './dialogue-corpus.js';

/** A row's sums over its dialogues, in seconds. */
export interface Score {
  missed: number;
  falseAlarm: number;
  confusion: number;
  total: number;
  collaredErrors: number;
  collaredTotal: number;
  countsRight: number;
  /** Speakers found minus speakers there, summed (the sign tells over- from under-counting). */
  countError: number;
  dialogues: number;
}

/** The collar of the second DER: boundaries within it of a reference turn's ends are not scored. */
export const COLLAR_SECONDS = 0.25;

/** One dialogue's errors (seconds) and count, as `sum` adds them up over a set. */
export function scoreOf(dialogue: Dialogue, hypothesis: readonly SpeakerSegment[]): Score {
  const plain = diarizationErrorRate(dialogue.reference, hypothesis, { collarSeconds: 0 });
  const collared = diarizationErrorRate(dialogue.reference, hypothesis, { collarSeconds: COLLAR_SECONDS });
  const countError = speakerCountError(dialogue.reference, hypothesis);
  return {
    missed: plain.missed,
    falseAlarm: plain.falseAlarm,
    confusion: plain.confusion,
    total: plain.total,
    collaredErrors: collared.missed + collared.falseAlarm + collared.confusion,
    collaredTotal: collared.total,
    countsRight: countError === 0 ? 1 : 0,
    countError,
    dialogues: 1,
  };
}

/** Time-weighted totals: summed errors over summed speech. */
export function sum(scores: readonly Score[]): Score {
  const total: Score = { missed: 0, falseAlarm: 0, confusion: 0, total: 0, collaredErrors: 0, collaredTotal: 0, countsRight: 0, countError: 0, dialogues: 0 };
  for (const score of scores) for (const key of Object.keys(total) as (keyof Score)[]) total[key] += score[key];
  return total;
}

