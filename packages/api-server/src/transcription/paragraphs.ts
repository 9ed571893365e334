import type { RecognizedWord } from '@stt/shared';
import { sentences } from './punctuate.js';

/** A pause this long between sentences starts a new paragraph. */
const PARAGRAPH_PAUSE_SECONDS = 1.5;

/** A paragraph never runs longer than this many sentences. */
const MAX_SENTENCES_PER_PARAGRAPH = 5;

/** Sentences grouped into paragraphs: a new one starts after a long pause, or when one grows long. */
export function paragraphs(words: readonly RecognizedWord[]): RecognizedWord[][][] {
  const groups: RecognizedWord[][][] = [];
  let previousEnd: number | undefined;
  for (const sentence of sentences(words)) {
    const current = groups[groups.length - 1];
    const pause = previousEnd === undefined ? Infinity : sentence[0]!.start - previousEnd;
    if (current === undefined || pause >= PARAGRAPH_PAUSE_SECONDS || current.length >= MAX_SENTENCES_PER_PARAGRAPH) groups.push([sentence]);
    else current.push(sentence);
    previousEnd = sentence[sentence.length - 1]!.end;
  }
  return groups;
}
