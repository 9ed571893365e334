import type { RecognizedWord } from '@stt/shared';
import { overallConfidence } from '../../transcription/word-confidence.js';
import { plainText, punctuate, punctuatedWords } from '../../transcription/punctuate.js';

export interface DeepgramWord {
  readonly word: string;
  readonly start: number;
  readonly end: number;
  readonly confidence: number;
  readonly punctuated_word?: string;
}

/** Recognised words as one Deepgram alternative: `transcript`, `confidence` and `words`. */
export function deepgramAlternative(words: readonly RecognizedWord[], punctuated: boolean) {
  return {
    transcript: punctuated ? punctuate(words) : plainText(words),
    confidence: roundConfidence(overallConfidence(words)),
    words: deepgramWords(words, punctuated),
  };
}

/** Deepgram's words: each with its `punctuated_word` when punctuation is on. */
export function deepgramWords(words: readonly RecognizedWord[], punctuated: boolean): DeepgramWord[] {
  if (!punctuated) return words.map(({ word, start, end, confidence }) => ({ word, start, end, confidence }));
  const written = punctuatedWords(words);
  return words.map(({ word, start, end, confidence }, index) => ({ word, start, end, confidence, punctuated_word: written[index]!.word }));
}

const roundConfidence = (value: number): number => Number(value.toFixed(3));
