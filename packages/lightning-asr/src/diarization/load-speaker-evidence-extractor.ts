import type { Logger } from '@stt/shared';
import { modelSourceVariable, type AsrConfig } from '../config.js';
import { configuredVadModelPath } from '../engine/load-configured-engine.js';
import type { ModelCheckResult } from '../engine/model-check/fork-model-check.js';
import { configuredModelSource } from '../model/configured-model-source.js';
import { resolveModel } from '../model/resolve-model.js';
import { checkEmbeddingModel, checkSegmentationModel } from './diarization-model-check.js';
import { mfccEvidenceExtractor } from './mfcc-evidence-extractor.js';
import { onnxModelFile } from './onnx-model-file.js';
import { sherpaOnnxEvidenceExtractor } from './sherpa-onnx-evidence-extractor.js';
import type { DiarizationModelFiles } from './sherpa-onnx-speaker-models.js';
import type { SpeakerEvidenceExtractor } from './speaker-evidence-extractor.js';

/** The neural diarizer's two models, by role: their variables and how reasons name them. */
const MODELS = {
  segmentation: { prefix: 'DIARIZATION_SEGMENTATION_MODEL', title: 'segmentation model', takes: 'a pyannote segmentation-3.0 model exported for it' },
  embedding: { prefix: 'DIARIZATION_EMBEDDING_MODEL', title: 'speaker-embedding model', takes: 'a 3D-Speaker, NeMo or WeSpeaker model exported for it' },
} as const;

type Role = keyof typeof MODELS;

/**
 * The worker's diarizer: the model-free MFCC one, unless the operator gave the neural diarizer's
 * two models (the config allows both or neither). Those are fetched (or found in the cache) like
 * the engine's model, then loaded and run once in child processes, so a file that crashes
 * sherpa-onnx takes down a child and not the worker. Rejects with one sentence fit for `/health`
 * and the log, naming the variable that gave the model.
 */
export async function loadSpeakerEvidenceExtractor(config: AsrConfig, logger: Logger, threads: number): Promise<SpeakerEvidenceExtractor> {
  const segmentation = modelSourceVariable(config, MODELS.segmentation.prefix);
  const embedding = modelSourceVariable(config, MODELS.embedding.prefix);
  if (segmentation === undefined || embedding === undefined) return mfccEvidenceExtractor(configuredVadModelPath(config), threads);

  const models: DiarizationModelFiles = {
    segmentation: await modelFile(config, 'segmentation', segmentation, logger),
    embedding: await modelFile(config, 'embedding', embedding, logger),
  };
  logger.info('Checking the diarization models in a child process');
  const timeoutMs = config.MODEL_CHECK_TIMEOUT_S * 1000;
  // The embedding model first: the diarizer loads both, so its crash is then the segmentation model's.
  assertPassed(await checkEmbeddingModel(models, { timeoutMs }), 'embedding', embedding);
  assertPassed(await checkSegmentationModel(models, { timeoutMs }), 'segmentation', segmentation);
  logger.info({ segmentation: models.segmentation, embedding: models.embedding }, 'Diarization model check passed: diarizing with sherpa-onnx');
  return sherpaOnnxEvidenceExtractor(models, threads);
}

/** The model's `.onnx` file, downloaded, verified and cached as the engine's model is. */
async function modelFile(config: AsrConfig, role: Role, variable: string, logger: Logger): Promise<string> {
  try {
    const model = await resolveModel(configuredModelSource(config, MODELS[role].prefix, logger.child({ diarization_model: role })));
    return await onnxModelFile(model.path);
  } catch (error) {
    throw new Error(`The ${MODELS[role].title} of ${variable} could not be had: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function assertPassed(check: ModelCheckResult, role: Role, variable: string): void {
  if (check.ok) return;
  throw new Error(`The ${MODELS[role].title} of ${variable} failed its check (sherpa-onnx takes ${MODELS[role].takes}): ${check.reason}`);
}
