import { siblingModulePath } from '@stt/shared';
import { forkModelCheck, type ModelCheckResult } from '../engine/model-check/fork-model-check.js';
import type { DiarizationModelFiles } from './sherpa-onnx-speaker-models.js';

/** What the child checks: the embedding model on its own, or the whole diarizer with both. */
export type DiarizationCheckStage = 'embedding' | 'diarization';

/** The child's argument, as JSON. */
export interface DiarizationCheckRequest {
  readonly stage: DiarizationCheckStage;
  readonly models: DiarizationModelFiles;
}

const CHILD_MAIN = siblingModulePath(import.meta.url, 'diarization-model-check-main');

/**
 * Loads the speaker-embedding model alone in a child process and embeds two seconds of audio
 * there. Checked before the segmentation model, so that a crash in the diarizer (which loads
 * both) is the segmentation model's.
 */
export function checkEmbeddingModel(models: DiarizationModelFiles, options: { timeoutMs: number }): Promise<ModelCheckResult> {
  return forkStage({ stage: 'embedding', models }, `the speaker-embedding model ${models.embedding}`, options.timeoutMs);
}

/** Loads the diarizer (segmentation and embedding models) in a child process and diarizes two seconds of audio there. */
export function checkSegmentationModel(models: DiarizationModelFiles, options: { timeoutMs: number }): Promise<ModelCheckResult> {
  return forkStage({ stage: 'diarization', models }, `the segmentation model ${models.segmentation}`, options.timeoutMs);
}

function forkStage(request: DiarizationCheckRequest, loading: string, timeoutMs: number): Promise<ModelCheckResult> {
  return forkModelCheck({ entry: CHILD_MAIN, args: [JSON.stringify(request)], timeoutMs, library: 'sherpa-onnx', loading });
}
