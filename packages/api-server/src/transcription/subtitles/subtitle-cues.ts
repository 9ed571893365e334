import type { TranscriptWord } from '../batch-transcript.js';
import { sentences } from '../punctuate.js';
import { cueLines } from './cue-lines.js';
import { CUE_RULES } from './cue-rules.js';

/** One subtitle: its words on one or two lines, shown from its first word's start to its last word's end. */
export interface Cue {
  readonly start: number;
  readonly end: number;
  readonly lines: readonly string[];
  readonly words: readonly TranscriptWord[];
}

/**
 * Words as subtitle cues that follow `CUE_RULES`. A sentence (words between pauses) always
 * starts a new cue; a sentence too long for one is cut, where a cue would overflow, at the
 * longest pause in that cue's second half, so cues stay full and breaks fall between phrases.
 * Every word is in exactly one cue, in order. A single word too long for a line, or lasting
 * longer than a cue may, is a cue of its own.
 */
export function subtitleCues(words: readonly TranscriptWord[]): Cue[] {
  return sentences(words).flatMap(sentenceCues);
}

function sentenceCues(sentence: readonly TranscriptWord[]): Cue[] {
  const cues: Cue[] = [];
  let pending: TranscriptWord[] = [];
  for (const word of sentence) {
    while (pending.length > 0 && !fits([...pending, word])) {
      const cut = pauseCut(pending, word);
      cues.push(cue(pending.slice(0, cut)));
      pending = pending.slice(cut);
    }
    pending.push(word);
  }
  if (pending.length > 0) cues.push(cue(pending));
  return cues;
}

/** Whether `words` make one cue within the rules. */
function fits(words: readonly TranscriptWord[]): boolean {
  return words[words.length - 1]!.end - words[0]!.start <= CUE_RULES.maxSeconds && cueLines(words.map((word) => word.word)) !== undefined;
}

/**
 * How many of `pending`'s words to show in the cue ending before `next`: at least half of them,
 * cut at the longest pause (the latest of equal ones). A prefix of words that fit fits too.
 */
function pauseCut(pending: readonly TranscriptWord[], next: TranscriptWord): number {
  let best = pending.length;
  let bestPause = next.start - pending[pending.length - 1]!.end;
  for (let cut = pending.length - 1; cut >= Math.ceil(pending.length / 2); cut--) {
    const pause = pending[cut]!.start - pending[cut - 1]!.end;
    if (pause > bestPause) [best, bestPause] = [cut, pause];
  }
  return best;
}

function cue(words: readonly TranscriptWord[]): Cue {
  return {
    start: words[0]!.start,
    end: words[words.length - 1]!.end,
    lines: cueLines(words.map((word) => word.word))!,
    words,
  };
}
