import { loadSherpaOnnx, type OnlineStream, type Provider, type SherpaOnnxModule } from '../engine/sherpa-onnx/sherpa-onnx-node-binding.js';

/**
 * The speaker-diarization part of `sherpa-onnx-node` (1.13.8), typed as the engine's binding
 * types the rest. Constructors throw for a missing file; a file that is not the model they expect
 * can crash the process (a non-ONNX file aborts it, another ONNX model ends it with `exit(-1)` or
 * a segfault), so models are loaded in a child process first (`diarization-model-check.ts`).
 */

export interface SpeakerEmbeddingExtractorConfig {
  readonly model: string;
  readonly numThreads?: number;
  readonly provider?: Provider;
  readonly debug?: number;
}

export interface SpeakerEmbeddingExtractor {
  /** Of each embedding. */
  readonly dim: number;
  createStream(): OnlineStream;
  /** Whether the stream holds enough audio for an embedding. */
  isReady(stream: OnlineStream): boolean;
  /** `enableExternalBuffer` false copies the embedding out of native memory (a worker thread may not share it). */
  compute(stream: OnlineStream, enableExternalBuffer?: boolean): Float32Array;
}

export interface OfflineSpeakerDiarizationConfig {
  readonly segmentation: { readonly pyannote: { readonly model: string }; readonly numThreads?: number; readonly provider?: Provider; readonly debug?: number };
  readonly embedding: SpeakerEmbeddingExtractorConfig;
  /** `numClusters` -1: as many speakers as the distance `threshold` separates. */
  readonly clustering: { readonly numClusters: number; readonly threshold: number };
  /** Seconds: shorter speech is dropped, and shorter gaps within one speaker's speech are closed. */
  readonly minDurationOn?: number;
  readonly minDurationOff?: number;
}

/** One speaker turn, in seconds from the start of the samples; `speaker` 0, 1, … within them. */
export interface SpeakerDiarizationSegment {
  readonly start: number;
  readonly end: number;
  readonly speaker: number;
}

export interface OfflineSpeakerDiarization {
  /** What the segmentation model takes (16 kHz for pyannote). */
  readonly sampleRate: number;
  /** Runs on the calling thread: samples in [-1, 1] at `sampleRate`. */
  process(samples: Float32Array): SpeakerDiarizationSegment[];
}

export interface SherpaOnnxDiarizationModule extends SherpaOnnxModule {
  readonly SpeakerEmbeddingExtractor: new (config: SpeakerEmbeddingExtractorConfig) => SpeakerEmbeddingExtractor;
  readonly OfflineSpeakerDiarization: new (config: OfflineSpeakerDiarizationConfig) => OfflineSpeakerDiarization;
}

/** The same addon the engine loads, with its diarization classes typed. */
export function loadSherpaOnnxDiarization(): SherpaOnnxDiarizationModule {
  return loadSherpaOnnx() as SherpaOnnxDiarizationModule;
}
