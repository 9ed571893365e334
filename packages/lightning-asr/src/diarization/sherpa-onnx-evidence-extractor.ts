import type { Piscina } from 'piscina';
import type { SpeakerEvidence } from '@stt/shared';
import { evidenceTaskPool } from './evidence-task-pool.js';
import type { SherpaOnnxEvidenceTask } from './sherpa-onnx-evidence-task.js';
import type { DiarizationModelFiles } from './sherpa-onnx-speaker-models.js';
import type { SpeakerEvidenceExtractor } from './speaker-evidence-extractor.js';

/**
 * The neural diarizer's worker side, with the operator's models: each segment's speaker turns and
 * their embeddings are computed in a worker thread (sherpa-onnx runs synchronously), as many at
 * once as the engine decodes; each thread loads the models on its first segment. The models must
 * have passed the checks of `diarization-model-check.ts` first: one that crashed sherpa-onnx
 * here would take the worker down with it.
 */
export class SherpaOnnxEvidenceExtractor implements SpeakerEvidenceExtractor {
  readonly name = 'sherpa-onnx';
  private readonly pool: Piscina<SherpaOnnxEvidenceTask, SpeakerEvidence>;

  constructor(
    private readonly models: DiarizationModelFiles,
    threads: number,
  ) {
    this.pool = evidenceTaskPool(import.meta.url, 'sherpa-onnx-evidence-task', threads);
  }

  extract(pcm: Int16Array, offsetSeconds: number): Promise<SpeakerEvidence> {
    return this.pool.run({ pcm, offsetSeconds, models: this.models });
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}
