import type { AsrEngine, EngineCapabilities, LiveDecoder, Transcript } from '../asr-engine.js';
import type { SherpaOnnxSpec } from '../engine-spec.js';
import { LivePlaces } from '../live-places.js';
import { VadLiveDecoder } from '../vad/vad-live-decoder.js';
import type { VoiceActivityDetector } from '../vad/voice-activity-detector.js';
import { executionProvider } from './execution-provider.js';
import { modelLanguages } from './model-languages.js';
import { assertFilesNotEmpty, detectModelLayout, type ModelLayout } from './model-layout.js';
import { OfflineTranscriber } from './offline-transcriber.js';
import { OnlineTranscriber } from './online-transcriber.js';
import { offlineRecognizerConfig, onlineRecognizerConfig } from './recognizer-config.js';
import { SherpaOnnxLiveDecoder } from './sherpa-onnx-live-decoder.js';
import { loadSherpaOnnx } from './sherpa-onnx-node-binding.js';

/** How utterances are decoded whole: a pool of offline recognizers, or the streaming model's. */
interface UtteranceTranscriber {
  readonly size: number;
  transcribe(pcm: Int16Array): Promise<Transcript>;
}

/** A live decoder that calls `onRelease` when its session gives it back. */
type LiveDecoderFactory = (onRelease: () => void) => LiveDecoder;

/**
 * Layouts whose official archives give token times in sherpa-onnx's results. Whisper and
 * moonshine give none; paraformers only in some exports.
 */
const TIMED_KINDS: ReadonlySet<ModelLayout['kind']> = new Set(['transducer', 'sense-voice']);

/**
 * An operator's sherpa-onnx model (an unpacked official archive; see `model-layout.ts`). A
 * streaming transducer decodes live audio natively, with interim words; any other model is
 * `vad-chunked`, each utterance decoded whole when the VAD has cut it.
 */
export class SherpaOnnxEngine implements AsrEngine {
  readonly name = 'sherpa-onnx';
  private readonly live: LivePlaces;

  private constructor(
    readonly model: string,
    readonly capabilities: EngineCapabilities,
    readonly gpu: string | null,
    streamCapacity: number,
    private readonly transcriber: UtteranceTranscriber,
    private readonly createLiveDecoder: LiveDecoderFactory,
  ) {
    this.live = new LivePlaces(streamCapacity);
  }

  get streamCapacity(): number {
    return this.live.capacity;
  }

  get capacity(): number {
    return this.transcriber.size;
  }

  /**
   * Finds the layout of `spec.modelDir` and loads it. Missing, empty and unreadable files are
   * errors; a file of the wrong kind of model can still kill the process inside sherpa-onnx,
   * which is why the worker loads an operator's model in a child process first.
   */
  static async load(spec: SherpaOnnxSpec, createVad: () => VoiceActivityDetector): Promise<SherpaOnnxEngine> {
    const { provider, gpu } = executionProvider(spec.gpuDevice);
    const layout = await detectModelLayout(spec.modelDir, { preferInt8: provider === 'cpu' });
    await assertFilesNotEmpty(layout);
    const sherpa = loadSherpaOnnx();
    const settings = { threads: spec.threads, provider };
    const model = spec.modelName;
    const capabilities = (streaming: EngineCapabilities['streaming']): EngineCapabilities => ({
      batch: true,
      streaming,
      wordTimestamps: TIMED_KINDS.has(layout.kind),
      languages: modelLanguages(model),
    });

    if (layout.kind === 'transducer' && layout.streaming) {
      // The one recognizer serves the second passes and every live stream (streams are cheap).
      const recognizer = new sherpa.OnlineRecognizer(onlineRecognizerConfig(layout, settings));
      const live: LiveDecoderFactory = (onRelease) => new SherpaOnnxLiveDecoder(recognizer, createVad, onRelease);
      return new SherpaOnnxEngine(model, capabilities('native'), gpu, spec.liveDecoders, new OnlineTranscriber(recognizer, spec.decoders), live);
    }
    const transcriber = await OfflineTranscriber.load(sherpa, offlineRecognizerConfig(layout, settings), spec.decoders);
    const live: LiveDecoderFactory = (onRelease) => new VadLiveDecoder(createVad, onRelease);
    return new SherpaOnnxEngine(model, capabilities('vad-chunked'), gpu, spec.liveDecoders, transcriber, live);
  }

  transcribe(pcm: Int16Array): Promise<Transcript> {
    return this.transcriber.transcribe(pcm);
  }

  openLiveDecoder(): LiveDecoder | undefined {
    return this.live.take(this.createLiveDecoder);
  }

  /** The addon frees recognizers and streams when their handles are collected; nothing to do here. */
  close(): void {}
}
