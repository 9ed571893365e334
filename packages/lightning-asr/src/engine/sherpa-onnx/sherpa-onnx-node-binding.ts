import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/**
 * The part of `sherpa-onnx-node` (1.13.8, CommonJS with JSDoc types only) that the engine and the
 * Silero VAD use, typed. Config fields are the camelCase names the addon reads; unset ones take
 * sherpa-onnx's defaults. A missing model file throws; a wrong-format one can crash the process.
 */

/** Audio as the addon takes it: samples in [-1, 1]. */
export interface Waveform {
  readonly samples: Float32Array;
  readonly sampleRate: number;
}

export interface FeatureConfig {
  readonly sampleRate?: number;
  readonly featureDim?: number;
}

/** Where the model runs; `cuda` needs a GPU build of sherpa-onnx. */
export type Provider = 'cpu' | 'cuda';

export interface TransducerFiles {
  readonly encoder: string;
  readonly decoder: string;
  readonly joiner: string;
}

export interface OfflineModelConfig {
  readonly transducer?: TransducerFiles;
  readonly whisper?: { readonly encoder: string; readonly decoder: string; readonly language?: string; readonly task?: string };
  readonly moonshine?: { readonly preprocessor: string; readonly encoder: string; readonly uncachedDecoder: string; readonly cachedDecoder: string };
  readonly senseVoice?: { readonly model: string; readonly language?: string; readonly useInverseTextNormalization?: number };
  readonly paraformer?: { readonly model: string };
  readonly tokens: string;
  readonly numThreads?: number;
  readonly provider?: Provider;
  readonly debug?: number;
  /** `nemo_transducer` for NeMo (Parakeet-TDT) transducers; empty lets sherpa-onnx tell from the model. */
  readonly modelType?: string;
}

export interface OfflineRecognizerConfig {
  readonly featConfig?: FeatureConfig;
  readonly modelConfig: OfflineModelConfig;
  readonly decodingMethod?: 'greedy_search' | 'modified_beam_search';
}

/** `OfflineRecognizerResult::AsJsonString()`; fields a model does not produce are absent or empty. */
export interface OfflineRecognizerResult {
  readonly text: string;
  readonly tokens?: readonly string[];
  /** Start of each token, in seconds from the start of the stream. */
  readonly timestamps?: readonly number[];
  readonly durations?: readonly number[];
  /** Log-probability of each token (transducers). */
  readonly ys_log_probs?: readonly number[];
  readonly lang?: string;
}

export interface OfflineStream {
  acceptWaveform(waveform: Waveform): void;
}

export interface OfflineRecognizer {
  createStream(): OfflineStream;
  /** Decodes on the calling thread. */
  decode(stream: OfflineStream): void;
  /** Decodes on a worker thread of the addon; the result as `getResult` gives it. */
  decodeAsync(stream: OfflineStream): Promise<OfflineRecognizerResult>;
  getResult(stream: OfflineStream): OfflineRecognizerResult;
}

export interface OfflineRecognizerClass {
  new (config: OfflineRecognizerConfig): OfflineRecognizer;
  /** Loads the model on a worker thread of the addon. */
  createAsync(config: OfflineRecognizerConfig): Promise<OfflineRecognizer>;
}

export interface OnlineModelConfig {
  readonly transducer?: TransducerFiles;
  readonly tokens: string;
  readonly numThreads?: number;
  readonly provider?: Provider;
  readonly debug?: number;
  readonly modelType?: string;
}

export interface OnlineRecognizerConfig {
  readonly featConfig?: FeatureConfig;
  readonly modelConfig: OnlineModelConfig;
  readonly decodingMethod?: 'greedy_search' | 'modified_beam_search';
  /** 1 turns on the endpoint rules below (seconds of trailing silence / utterance length). */
  readonly enableEndpoint?: number;
  readonly rule1MinTrailingSilence?: number;
  readonly rule2MinTrailingSilence?: number;
  readonly rule3MinUtteranceLength?: number;
}

export interface OnlineRecognizerResult {
  readonly text: string;
  readonly tokens?: readonly string[];
  readonly timestamps?: readonly number[];
  readonly start_time?: number;
  readonly is_final?: boolean;
}

export interface OnlineStream {
  acceptWaveform(waveform: Waveform): void;
  inputFinished(): void;
}

export interface OnlineRecognizer {
  createStream(): OnlineStream;
  isReady(stream: OnlineStream): boolean;
  /** Decodes on the calling thread (a chunk of frames: milliseconds). */
  decode(stream: OnlineStream): void;
  isEndpoint(stream: OnlineStream): boolean;
  reset(stream: OnlineStream): void;
  getResult(stream: OnlineStream): OnlineRecognizerResult;
}

export interface OnlineRecognizerClass {
  new (config: OnlineRecognizerConfig): OnlineRecognizer;
}

export interface SileroVadModelConfig {
  readonly model: string;
  readonly threshold?: number;
  /** Seconds. */
  readonly minSilenceDuration?: number;
  readonly minSpeechDuration?: number;
  readonly maxSpeechDuration?: number;
  /** Samples per window (512 at 16 kHz for Silero v5). */
  readonly windowSize?: number;
}

export interface VadModelConfig {
  readonly sileroVad: SileroVadModelConfig;
  readonly sampleRate?: number;
  readonly numThreads?: number;
  readonly provider?: Provider;
  readonly debug?: number;
}

export interface SpeechSegment {
  /** Index of the first sample, from the start of the stream. */
  readonly start: number;
  readonly samples: Float32Array;
}

export interface Vad {
  acceptWaveform(samples: Float32Array): void;
  isEmpty(): boolean;
  isDetected(): boolean;
  pop(): void;
  clear(): void;
  front(enableExternalBuffer?: boolean): SpeechSegment;
  reset(): void;
  flush(): void;
}

export interface VadClass {
  new (config: VadModelConfig, bufferSizeInSeconds: number): Vad;
}

export interface CircularBuffer {
  push(samples: Float32Array): void;
  get(startIndex: number, n: number, enableExternalBuffer?: boolean): Float32Array;
  pop(n: number): void;
  size(): number;
  head(): number;
  reset(): void;
}

export interface CircularBufferClass {
  new (capacity: number): CircularBuffer;
}

export interface SherpaOnnxModule {
  readonly OfflineRecognizer: OfflineRecognizerClass;
  readonly OnlineRecognizer: OnlineRecognizerClass;
  readonly Vad: VadClass;
  readonly CircularBuffer: CircularBufferClass;
  readonly version: string;
}

let loaded: SherpaOnnxModule | undefined;

/** The addon, loaded on first use (it maps onnxruntime, ~30 MB: workers of other engines skip it). */
export function loadSherpaOnnx(): SherpaOnnxModule {
  loaded ??= createRequire(import.meta.url)('sherpa-onnx-node') as SherpaOnnxModule;
  return loaded;
}

/** The folder of the addon's native libraries (`sherpa-onnx-linux-x64/`: the addon, onnxruntime). */
export function nativeLibraryDir(): string {
  const fromPackage = createRequire(createRequire(import.meta.url).resolve('sherpa-onnx-node'));
  return dirname(fromPackage.resolve(`sherpa-onnx-${process.platform}-${process.arch}/sherpa-onnx.node`));
}
