import type { RecognizedWord } from '@stt/shared';
import { paragraphs } from './paragraphs.js';
import { plainText, sentences, shownWords } from './punctuate.js';
import { overallConfidence } from './word-confidence.js';

/** A stretch of the transcript: its text and when it is spoken. */
export interface TextSpan {
  text: string;
  start: number;
  end: number;
}

export interface Utterance extends TextSpan {
  confidence: number;
  words?: RecognizedWord[];
}

export interface Paragraph extends TextSpan {
  sentences: TextSpan[];
}

/** Recognised `words` as one span, its text punctuated or not. */
export function textSpan(words: readonly RecognizedWord[], punctuated: boolean): TextSpan {
  return { text: plainText(shownWords(words, punctuated)), start: words[0]?.start ?? 0, end: words[words.length - 1]?.end ?? 0 };
}

/** The sentences (words between pauses) as utterances, with their recognised words when asked for. */
export function utterances(words: readonly RecognizedWord[], options: { punctuated: boolean; withWords: boolean }): Utterance[] {
  return sentences(words).map((sentence) => ({
    ...textSpan(sentence, options.punctuated),
    confidence: Number(overallConfidence(sentence).toFixed(3)),
    ...(options.withWords ? { words: sentence } : {}),
  }));
}

/** Paragraphs of sentences, as `paragraphs` groups them. */
export function paragraphSpans(words: readonly RecognizedWord[], punctuated: boolean): Paragraph[] {
  return paragraphs(words).map((paragraph) => ({
    ...textSpan(paragraph.flat(), punctuated),
    sentences: paragraph.map((sentence) => textSpan(sentence, punctuated)),
  }));
}
