import { CUE_RULES } from './cue-rules.js';

/** Characters as a reader counts them: code points, not UTF-16 units. */
const length = (text: string): number => [...text].length;

/**
 * A cue's words laid out on at most two lines of `CUE_RULES.maxLineChars`, split where the two
 * lines come out most even; undefined when they do not fit. One word alone always fits, on
 * one line however long it is: a word is never cut.
 */
export function cueLines(words: readonly string[]): string[] | undefined {
  const whole = words.join(' ');
  if (words.length === 1 || length(whole) <= CUE_RULES.maxLineChars) return [whole];
  let best: { lines: string[]; longest: number } | undefined;
  for (let split = 1; split < words.length; split++) {
    const lines = [words.slice(0, split).join(' '), words.slice(split).join(' ')];
    const longest = Math.max(...lines.map(length));
    // On a tie the shorter line goes on top, as subtitlers do.
    if (longest <= CUE_RULES.maxLineChars && (best === undefined || longest < best.longest)) best = { lines, longest };
  }
  return best?.lines;
}
