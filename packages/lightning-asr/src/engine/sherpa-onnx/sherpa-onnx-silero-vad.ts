import { ENGINE_SAMPLE_RATE } from '@stt/shared';
import { assertSileroVadModelFile } from '../vad/silero-vad-model.js';
import type { VoiceActivityDetector } from '../vad/voice-activity-detector.js';
import { toFloatSamples } from './pcm-float.js';
import { loadSherpaOnnx, type Vad } from './sherpa-onnx-node-binding.js';

/** Silero v5 judges 512 samples (32 ms) at a time at 16 kHz. */
const WINDOW_SAMPLES = 512;
/** Room for speech not yet closed into a segment; sherpa-onnx grows it when speech runs longer. */
const BUFFER_SECONDS = 30;
/** `findSpeechSegments` converts this much audio (10 s) to float at a time, so a long file is not copied whole. */
const BLOCK_SAMPLES = WINDOW_SAMPLES * 320;

export interface SileroVadOptions {
  /** Speech probability from which a window counts as speech. */
  readonly threshold?: number;
  /**
   * Silence that ends speech, in seconds. 0.1 s: the live session assumes the detector reports
   * silence about 100 ms after speech ends (`POSTSPEECH_SAMPLES`) and adds `eou_timeout_ms` itself.
   */
  readonly minSilenceSeconds?: number;
  /** Speech shorter than this is not speech (a click, a breath), in seconds. */
  readonly minSpeechSeconds?: number;
}

const DEFAULTS: Required<SileroVadOptions> = { threshold: 0.5, minSilenceSeconds: 0.1, minSpeechSeconds: 0.25 };

/** Where speech was heard, in seconds from the start of the audio. */
export interface SpeechSpan {
  readonly start: number;
  readonly end: number;
}

/**
 * Silero VAD (an ONNX model) through sherpa-onnx, over one live stream. It runs on the calling
 * thread, about 5 ms of CPU per second of audio (bench/vad.ts): too little to be worth a trip off
 * the event loop.
 * Speech segments the detector closes are dropped as they come (only `inSpeech` is wanted here),
 * so memory stays bounded however long the stream.
 */
export class SherpaOnnxSileroVad implements VoiceActivityDetector {
  private vad: Vad | undefined;
  /** Samples of a window not yet complete, carried to the next `accept`. */
  private carry = new Int16Array(0);

  constructor(modelPath: string, options: SileroVadOptions = {}) {
    this.vad = createVad(modelPath, options);
  }

  async accept(pcm: Int16Array): Promise<void> {
    const vad = this.native();
    const pending = this.carry.length === 0 ? pcm : concat(this.carry, pcm);
    const whole = pending.length - (pending.length % WINDOW_SAMPLES);
    acceptWindows(vad, pending.subarray(0, whole));
    this.carry = pending.slice(whole);
    while (!vad.isEmpty()) vad.pop();
  }

  inSpeech(): boolean {
    return this.vad?.isDetected() ?? false;
  }

  reset(): void {
    this.native().reset();
    this.carry = new Int16Array(0);
  }

  /** The addon destroys the native detector when its handle is garbage-collected: this lets go of it. */
  free(): void {
    this.vad = undefined;
    this.carry = new Int16Array(0);
  }

  private native(): Vad {
    if (this.vad === undefined) throw new Error('The Silero VAD was freed');
    return this.vad;
  }
}

/**
 * Where speech is in a whole recording (16-bit mono PCM at `ENGINE_SAMPLE_RATE`), in order, for
 * cutting batch audio between utterances. Speech still open at the end closes at the end.
 */
export function findSpeechSegments(pcm: Int16Array, options: SileroVadOptions & { readonly modelPath: string }): SpeechSpan[] {
  const vad = createVad(options.modelPath, options);
  const spans: SpeechSpan[] = [];
  const collect = (): void => {
    for (; !vad.isEmpty(); vad.pop()) {
      const segment = vad.front(false);
      const end = Math.min(pcm.length, segment.start + segment.samples.length);
      spans.push({ start: segment.start / ENGINE_SAMPLE_RATE, end: end / ENGINE_SAMPLE_RATE });
    }
  };
  for (let offset = 0; offset < pcm.length; offset += BLOCK_SAMPLES) {
    acceptWindows(vad, pcm.subarray(offset, offset + BLOCK_SAMPLES));
    collect();
  }
  vad.flush();
  collect();
  return spans;
}

function createVad(modelPath: string, options: SileroVadOptions): Vad {
  assertSileroVadModelFile(modelPath);
  const { Vad: SileroVad } = loadSherpaOnnx();
  return new SileroVad(
    {
      sileroVad: {
        model: modelPath,
        threshold: options.threshold ?? DEFAULTS.threshold,
        minSilenceDuration: options.minSilenceSeconds ?? DEFAULTS.minSilenceSeconds,
        minSpeechDuration: options.minSpeechSeconds ?? DEFAULTS.minSpeechSeconds,
        windowSize: WINDOW_SAMPLES,
      },
      sampleRate: ENGINE_SAMPLE_RATE,
      numThreads: 1,
      debug: 0,
    },
    BUFFER_SECONDS,
  );
}

/**
 * Feeds whole windows, one per call: sherpa-onnx ORs the windows of one call into a single
 * speech decision, so a longer call would blur where speech starts and ends. A last partial
 * window is left out: `accept` carries it; at the end of a whole recording it is under 32 ms.
 */
function acceptWindows(vad: Vad, pcm: Int16Array): void {
  const samples = toFloatSamples(pcm);
  for (let offset = 0; offset + WINDOW_SAMPLES <= samples.length; offset += WINDOW_SAMPLES) {
    vad.acceptWaveform(samples.subarray(offset, offset + WINDOW_SAMPLES));
  }
}

function concat(a: Int16Array, b: Int16Array): Int16Array {
  const joined = new Int16Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}
