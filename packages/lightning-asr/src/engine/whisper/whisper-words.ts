import type { RecognizedWord } from '../asr-engine.js';
import type { TranscribedSegment } from './whisper-node-binding.js';

/**
 * The addon passes on no token probabilities (whisper.cpp has them), so every word carries this:
 * 1 rather than 0, so that clients which drop unsure words keep them.
 */
const UNREPORTED_CONFIDENCE = 1;

/** Whisper's non-speech annotations, of one word or several: `[BLANK_AUDIO]`, `(upbeat music)`. */
const OPENS_ANNOTATION = /^[[(]/;
const CLOSES_ANNOTATION = /[\])][.,!?]*$/;

interface TimedSpelling {
  spelling: string;
  startMs: number;
  endMs: number;
}

/**
 * Words from whisper.cpp's token segments (`tokenTimestamps` with `maxLen: 1` makes each token a
 * segment, times in ms), annotations left out, times clamped to the audio's length.
 */
export function wordsFromTokens(tokens: readonly TranscribedSegment[], durationSeconds: number): RecognizedWord[] {
  const seconds = (ms: number): number => Math.min(durationSeconds, Math.max(0, ms / 1000));
  const words: RecognizedWord[] = [];
  let inAnnotation = false;
  for (const { spelling, startMs, endMs } of joinTokens(tokens)) {
    if (OPENS_ANNOTATION.test(spelling)) inAnnotation = true;
    const annotated = inAnnotation;
    if (inAnnotation && CLOSES_ANNOTATION.test(spelling)) inAnnotation = false;
    if (!annotated) words.push({ word: spelling, start: seconds(startMs), end: seconds(endMs), confidence: UNREPORTED_CONFIDENCE });
  }
  return words;
}

/** A token that starts with a space starts a word; the others continue it ("Hel" + "lo" + ","). */
function joinTokens(tokens: readonly TranscribedSegment[]): TimedSpelling[] {
  const words: TimedSpelling[] = [];
  let current: TimedSpelling | undefined;
  for (const token of tokens) {
    if (current === undefined || /^\s/.test(token.text)) {
      current = { spelling: '', startMs: token.t0, endMs: token.t1 };
      words.push(current);
    }
    current.spelling += token.text.trim();
    current.endMs = token.t1;
  }
  return words.filter((word) => word.spelling !== '');
}
