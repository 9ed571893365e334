import { ENGINE_SAMPLE_RATE } from '@stt/shared';
import type { AsrEngine, EngineCapabilities, LiveDecoder, Transcript } from '../asr-engine.js';
import { DecoderPool } from '../decoder-pool.js';
import { LivePlaces } from '../live-places.js';
import type { WhisperSpec } from '../engine-spec.js';
import { VadLiveDecoder } from '../vad/vad-live-decoder.js';
import type { VoiceActivityDetector } from '../vad/voice-activity-detector.js';
import { gpuRefusal, whisperDevice } from './whisper-device.js';
import { WHISPER_LANGUAGES } from './whisper-languages.js';
import { loadFailure, type NativeLogLine, WhisperLoadLog } from './whisper-load-log.js';
import { readWhisperModelHeader } from './whisper-model-file.js';
import { isTranscribeResult, loadWhisperBinding, type TranscribeOptions, type WhisperBinding, type WhisperContext } from './whisper-node-binding.js';
import { wordsFromTokens } from './whisper-words.js';

/**
 * whisper.cpp with an operator's ggml model (`ggml-base.en.bin`), through `@fugood/whisper.node`.
 * A pool of contexts (each a loaded model), each used by one decode at a time on libuv's thread
 * pool. Whisper has no streaming mode: live audio is cut into utterances by a VAD
 * (`vad-chunked`), each decoded whole.
 */
export class WhisperEngine implements AsrEngine {
  readonly name = 'whisper';
  readonly capacity: number;
  private readonly pool: DecoderPool<WhisperContext>;
  private readonly live: LivePlaces;

  private constructor(
    readonly model: string,
    readonly capabilities: EngineCapabilities,
    readonly gpu: string | null,
    streamCapacity: number,
    contexts: readonly WhisperContext[],
    private readonly options: TranscribeOptions,
    private readonly createVad: () => VoiceActivityDetector,
  ) {
    this.pool = new DecoderPool(contexts);
    this.capacity = contexts.length;
    this.live = new LivePlaces(streamCapacity);
  }

  get streamCapacity(): number {
    return this.live.capacity;
  }

  /**
   * Loads `spec.decoders` contexts of the model, one after another. The addon loads on the
   * calling thread (its constructor is synchronous): a large model holds the event loop for the
   * seconds it takes, which happens before the worker serves.
   */
  static async load(spec: WhisperSpec, createVad: () => VoiceActivityDetector): Promise<WhisperEngine> {
    const device = whisperDevice(spec.gpuDevice);
    const { multilingual } = await readWhisperModelHeader(spec.modelPath);
    const { contexts, loadLog } = await loadContexts(loadWhisperBinding(device.build), spec.modelPath, spec.decoders, device.build === 'cuda');
    const refusal = gpuRefusal(device, loadLog);
    if (refusal !== undefined) {
      releaseAll(contexts);
      throw new Error(refusal);
    }
    const capabilities: EngineCapabilities = {
      batch: true,
      streaming: 'vad-chunked',
      wordTimestamps: true,
      languages: multilingual ? WHISPER_LANGUAGES : ['en'],
    };
    const options: TranscribeOptions = { language: multilingual ? 'auto' : 'en', maxThreads: spec.threads, tokenTimestamps: true, maxLen: 1 };
    return new WhisperEngine(spec.modelName, capabilities, device.gpu, spec.liveDecoders, contexts, options, createVad);
  }

  transcribe(pcm: Int16Array): Promise<Transcript> {
    return this.pool.use(async (context) => {
      // The addon takes the samples' bytes as a whole ArrayBuffer: a copy, as `pcm` may be a view.
      const result: unknown = await context.transcribeData(pcm.slice().buffer, this.options).promise;
      if (!isTranscribeResult(result)) throw new Error('whisper.cpp returned a transcription of an unknown shape');
      const words = wordsFromTokens(result.segments, pcm.length / ENGINE_SAMPLE_RATE);
      return { text: words.map((word) => word.word).join(' '), words };
    });
  }

  openLiveDecoder(): LiveDecoder | undefined {
    return this.live.take((giveBack) => new VadLiveDecoder(this.createVad, giveBack));
  }

  close(): void {
    releaseAll(this.pool.decoders);
  }
}

/** `count` contexts of the model and whisper.cpp's log of loading them; an Error with its reason if one fails. */
async function loadContexts(
  binding: WhisperBinding,
  modelPath: string,
  count: number,
  useGpu: boolean,
): Promise<{ contexts: WhisperContext[]; loadLog: readonly NativeLogLine[] }> {
  const log = WhisperLoadLog.start(binding);
  const contexts: WhisperContext[] = [];
  try {
    for (let i = 0; i < count; i++) contexts.push(new binding.WhisperContext({ filePath: modelPath, useGpu }));
  } catch (error) {
    releaseAll(contexts);
    const why = loadFailure(await log.stop()) ?? (error instanceof Error ? error.message : String(error));
    throw new Error(`whisper.cpp could not load ${modelPath}: ${why}`);
  }
  return { contexts, loadLog: await log.stop() };
}

/** `release` frees a model at once, or when its running decode ends (which it cancels). */
function releaseAll(contexts: readonly WhisperContext[]): void {
  for (const context of contexts) void context.release();
}
