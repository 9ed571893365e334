import { PooledEvidenceExtractor } from './pooled-evidence-extractor.js';

/**
 * The default diarizer's worker side, needing no model beyond the Silero VAD: each segment's
 * speech blocks with their MFCC statistics (`mfcc-evidence-task.ts`). With the server's
 * clustering, about 30 ms of CPU per audio second (`npm run bench:diarization`).
 */
export function mfccEvidenceExtractor(vadModelPath: string, threads: number): PooledEvidenceExtractor<{ vadModelPath: string }> {
  return new PooledEvidenceExtractor('mfcc-ward', 'mfcc-evidence-task', { vadModelPath }, threads);
}
