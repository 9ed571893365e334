import type { RecognizedWord } from '@stt/shared';

/** Word confidences weighted by how long each word lasts; 0 when nothing was recognised. */
export function overallConfidence(words: readonly RecognizedWord[]): number {
  let weighted = 0;
  let total = 0;
  for (const word of words) {
    const length = Math.max(word.end - word.start, 0.01);
    weighted += word.confidence * length;
    total += length;
  }
  return total > 0 ? weighted / total : 0;
}
