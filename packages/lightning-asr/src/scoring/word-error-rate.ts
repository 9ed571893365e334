/*
 * Word error rate, as the benchmarks and `lightning-asr-score` report it: case and punctuation
 * are ignored; over a set of files it is weighted by words (per-file WER is too noisy to compare).
 */

/** Word-level edit distance and reference length; WER over a set is the sum of one over the sum of the other. */
export function wordErrors(reference: string, hypothesis: string): { errors: number; words: number } {
  const ref = normalise(reference);
  const hyp = normalise(hypothesis);
  let previous = Array.from({ length: hyp.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i++) {
    const current = [i];
    for (let j = 1; j <= hyp.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (ref[i - 1] === hyp[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return { errors: previous[hyp.length]!, words: ref.length };
}

/** Word-weighted WER of hypotheses against references. */
export function setWer(pairs: readonly { reference: string; hypothesis: string }[]): number {
  let errors = 0;
  let words = 0;
  for (const pair of pairs) {
    const counted = wordErrors(pair.reference, pair.hypothesis);
    errors += counted.errors;
    words += counted.words;
  }
  return errors / words;
}

const normalise = (text: string): string[] =>
  text
    .toLowerCase()
    .replace(/[.,!?;:]/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
