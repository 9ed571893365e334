import type { TranscriptWord } from '../../transcription/batch-transcript.js';
import { overallConfidence } from '../../transcription/word-confidence.js';
import { plainText, punctuate, punctuatedWords } from '../../transcription/punctuate.js';

export interface DeepgramWord {
  readonly word: string;
  readonly start: number;
  readonly end: number;
  readonly confidence: number;
  readonly punctuated_word?: string;
  /** Diarized requests only: zero-based, as Deepgram numbers speakers. */
  readonly speaker?: number;
}

/** Recognised words as one Deepgram alternative: `transcript`, `confidence` and `words`. */
export function deepgramAlternative(words: readonly TranscriptWord[], punctuated: boolean) {
  return {
    transcript: punctuated ? punctuate(words) : plainText(words),
    confidence: roundConfidence(overallConfidence(words)),
    words: deepgramWords(words, punctuated),
  };
}

/** Deepgram's words: each with its `punctuated_word` when punctuation is on, its `speaker` when diarized. */
export function deepgramWords(words: readonly TranscriptWord[], punctuated: boolean): DeepgramWord[] {
  const written = punctuated ? punctuatedWords(words) : undefined;
  return words.map(({ word, start, end, confidence, speaker }, index) => ({
    word,
    start,
    end,
    confidence,
    ...(written !== undefined ? { punctuated_word: written[index]!.word } : {}),
    ...(speaker !== undefined ? { speaker } : {}),
  }));
}

const roundConfidence = (value: number): number => Number(value.toFixed(3));
