import { siblingModulePath } from '@stt/shared';
import type { EngineSpec } from '../engine-spec.js';
import { forkModelCheck, type ModelCheckResult } from './fork-model-check.js';

export type { ModelCheckResult } from './fork-model-check.js';

const CHILD_MAIN = siblingModulePath(import.meta.url, 'model-check-main');

/** The native library each engine loads models with, as reasons name it. */
const LIBRARIES: Record<EngineSpec['engine'], string> = { pocketsphinx: 'PocketSphinx', whisper: 'whisper.cpp', 'sherpa-onnx': 'sherpa-onnx' };

/**
 * Loads `spec`'s model in a child process and decodes a second of silence there, so that a model
 * that crashes the native library (a segfault, an abort on a failed assertion) ends the child and
 * not the worker. The result's `reason` is one line, fit for `/health`.
 */
export function checkModelInChildProcess(spec: EngineSpec, options: { timeoutMs: number }): Promise<ModelCheckResult> {
  return forkModelCheck({
    entry: CHILD_MAIN,
    args: [JSON.stringify(spec)],
    timeoutMs: options.timeoutMs,
    library: LIBRARIES[spec.engine],
    loading: `the model ${spec.engine === 'whisper' ? spec.modelPath : spec.modelDir}`,
  });
}
