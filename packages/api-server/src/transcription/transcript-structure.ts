import type { RecognizedWord } from '@stt/shared';
import { speakerLabel } from '../diarization/speaker-label.js';
import type { TranscriptWord } from './batch-transcript.js';
import { paragraphs } from './paragraphs.js';
import { plainText, sentences, shownWords } from './punctuate.js';
import { overallConfidence } from './word-confidence.js';

/** A stretch of the transcript: its text and when it is spoken. */
export interface TextSpan {
  text: string;
  start: number;
  end: number;
}

/** A word as the native API shows it: its speaker, once diarized, by name. */
export interface NativeWord extends RecognizedWord {
  speaker?: string;
}

export interface Utterance extends TextSpan {
  confidence: number;
  /** Diarized transcripts only: an utterance is one speaker's (`sentences` splits at changes). */
  speaker?: string;
  words?: NativeWord[];
}

/** One speaker's turn: consecutive words of one speaker. */
export interface SpeakerSpan extends TextSpan {
  speaker: string;
}

export interface Paragraph extends TextSpan {
  sentences: TextSpan[];
}

/** Recognised `words` as one span, its text punctuated or not. */
export function textSpan(words: readonly RecognizedWord[], punctuated: boolean): TextSpan {
  return { text: plainText(shownWords(words, punctuated)), start: words[0]?.start ?? 0, end: words[words.length - 1]?.end ?? 0 };
}

/** The sentences (words between pauses) as utterances, with their recognised words when asked for. */
export function utterances(words: readonly TranscriptWord[], options: { punctuated: boolean; withWords: boolean }): Utterance[] {
  return sentences(words).map((sentence) => ({
    ...textSpan(sentence, options.punctuated),
    confidence: Number(overallConfidence(sentence).toFixed(3)),
    ...(sentence[0]!.speaker !== undefined ? { speaker: speakerLabel(sentence[0]!.speaker) } : {}),
    ...(options.withWords ? { words: sentence.map(nativeWord) } : {}),
  }));
}

export function nativeWord({ speaker, ...word }: TranscriptWord): NativeWord {
  return speaker === undefined ? word : { ...word, speaker: speakerLabel(speaker) };
}

/** A diarized transcript's speaker turns, in time order: each run of one speaker's words. */
export function speakerSpans(words: readonly TranscriptWord[], punctuated: boolean): SpeakerSpan[] {
  const runs: TranscriptWord[][] = [];
  words.forEach((word, index) => {
    if (index === 0 || word.speaker !== words[index - 1]!.speaker) runs.push([]);
    runs.at(-1)!.push(word);
  });
  // Punctuated as a whole, so a turn's sentences end where the transcript's do.
  const shown = shownWords(words, punctuated);
  let at = 0;
  return runs.map((run) => {
    const span = { speaker: speakerLabel(run[0]!.speaker ?? 0), ...textSpan(shown.slice(at, at + run.length), false) };
    at += run.length;
    return span;
  });
}

/** Paragraphs of sentences, as `paragraphs` groups them. */
export function paragraphSpans(words: readonly RecognizedWord[], punctuated: boolean): Paragraph[] {
  return paragraphs(words).map((paragraph) => ({
    ...textSpan(paragraph.flat(), punctuated),
    sentences: paragraph.map((sentence) => textSpan(sentence, punctuated)),
  }));
}
