import { PooledEvidenceExtractor } from './pooled-evidence-extractor.js';
import type { DiarizationModelFiles } from './sherpa-onnx-speaker-models.js';

/**
 * The neural diarizer's worker side, with the operator's models: each segment's speaker turns and
 * their embeddings (`sherpa-onnx-evidence-task.ts`; sherpa-onnx runs synchronously); each thread
 * loads the models on its first segment. The models must have passed the checks of
 * `diarization-model-check.ts` first: one that crashed sherpa-onnx here would take the worker down.
 */
export function sherpaOnnxEvidenceExtractor(models: DiarizationModelFiles, threads: number): PooledEvidenceExtractor<{ models: DiarizationModelFiles }> {
  return new PooledEvidenceExtractor('sherpa-onnx', 'sherpa-onnx-evidence-task', { models }, threads);
}
