import { ENGINE_SAMPLE_RATE } from '@stt/shared';
import { loadSherpaOnnxDiarization, type OfflineSpeakerDiarization, type SpeakerEmbeddingExtractor } from './sherpa-onnx-diarization-binding.js';

/** The neural diarizer's two model files. */
export interface DiarizationModelFiles {
  /** A pyannote segmentation `.onnx` as sherpa-onnx exports it (segmentation-3.0). */
  readonly segmentation: string;
  /** A speaker-embedding `.onnx` with sherpa-onnx's metadata (3D-Speaker, NeMo, WeSpeaker). */
  readonly embedding: string;
}

/**
 * Cosine distance under which sherpa-onnx's clustering joins two voices in one segment; its
 * default. The server links the segment's speakers across segments with its own threshold.
 */
const CLUSTERING_THRESHOLD = 0.5;
/** sherpa-onnx's defaults: speech under 0.3 s is dropped, one speaker's pauses under 0.5 s are closed. */
const MIN_DURATION_ON_SECONDS = 0.3;
const MIN_DURATION_OFF_SECONDS = 0.5;
/**
 * One thread per model: the extractor runs one segment per pool thread, as many at once as the
 * engine decodes, so more threads would only contend with the decoders.
 */
const MODEL_THREADS = 1;

export function createSpeakerEmbeddingExtractor(embeddingModel: string): SpeakerEmbeddingExtractor {
  const { SpeakerEmbeddingExtractor } = loadSherpaOnnxDiarization();
  return new SpeakerEmbeddingExtractor({ model: embeddingModel, numThreads: MODEL_THREADS, provider: 'cpu', debug: 0 });
}

/** Speaker turns within a segment, as many speakers as it has (no count is known beforehand). */
export function createSpeakerDiarization(models: DiarizationModelFiles): OfflineSpeakerDiarization {
  const { OfflineSpeakerDiarization } = loadSherpaOnnxDiarization();
  const diarization = new OfflineSpeakerDiarization({
    segmentation: { pyannote: { model: models.segmentation }, numThreads: MODEL_THREADS, provider: 'cpu', debug: 0 },
    embedding: { model: models.embedding, numThreads: MODEL_THREADS, provider: 'cpu', debug: 0 },
    clustering: { numClusters: -1, threshold: CLUSTERING_THRESHOLD },
    minDurationOn: MIN_DURATION_ON_SECONDS,
    minDurationOff: MIN_DURATION_OFF_SECONDS,
  });
  if (diarization.sampleRate !== ENGINE_SAMPLE_RATE) {
    throw new Error(`The segmentation model ${models.segmentation} takes ${diarization.sampleRate} Hz audio; the worker's audio is ${ENGINE_SAMPLE_RATE} Hz`);
  }
  return diarization;
}

/** The embedding of one stretch of speech at `ENGINE_SAMPLE_RATE`, or undefined when it is too short for the model. */
export function speechEmbedding(extractor: SpeakerEmbeddingExtractor, samples: Float32Array): Float32Array | undefined {
  const stream = extractor.createStream();
  stream.acceptWaveform({ samples, sampleRate: ENGINE_SAMPLE_RATE });
  stream.inputFinished();
  return extractor.isReady(stream) ? extractor.compute(stream, false) : undefined;
}
