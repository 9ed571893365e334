import type { SpeakerEvidence } from '@stt/shared';
import { toFloatSamples } from '../engine/sherpa-onnx/pcm-float.js';
import { embeddedTurns } from './embedded-turns.js';
import type { OfflineSpeakerDiarization, SpeakerEmbeddingExtractor } from './sherpa-onnx-diarization-binding.js';
import { createSpeakerDiarization, createSpeakerEmbeddingExtractor, speechEmbedding, type DiarizationModelFiles } from './sherpa-onnx-speaker-models.js';
import type { SegmentTask } from './pooled-evidence-extractor.js';

export interface SherpaOnnxEvidenceTask extends SegmentTask {
  readonly models: DiarizationModelFiles;
}

interface LoadedModels {
  readonly diarization: OfflineSpeakerDiarization;
  readonly extractor: SpeakerEmbeddingExtractor;
}

/** Loaded by a thread's first task and kept: loading the models takes longer than diarizing a segment. */
let loaded: LoadedModels | undefined;

/**
 * Piscina's entry (a worker thread): sherpa-onnx's diarization finds the segment's speaker turns,
 * then the embedding model (the same one it clustered with) embeds each turn for the server.
 */
export default function sherpaOnnxEvidence(task: SherpaOnnxEvidenceTask): SpeakerEvidence {
  loaded ??= { diarization: createSpeakerDiarization(task.models), extractor: createSpeakerEmbeddingExtractor(task.models.embedding) };
  const { diarization, extractor } = loaded;
  const samples = toFloatSamples(task.pcm);
  return embeddedTurns(diarization.process(samples), samples, (speech) => speechEmbedding(extractor, speech), task.offsetSeconds);
}
