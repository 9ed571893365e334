import { createRequire } from 'node:module';

/**
 * The part of `@fugood/whisper.node` 1.1.3 (whisper.cpp 1.9.3) that the engine uses, typed: its
 * `types` entry names a `.d.ts` that is not shipped. The platform addon is loaded directly rather
 * than through the package's `initWhisper`, which falls back to the CPU build with only a
 * `console.warn` when the CUDA one does not load.
 */

export interface ContextOptions {
  readonly filePath: string;
  readonly useGpu: boolean;
}

export interface TranscribeOptions {
  /** `en`, or `auto` to detect it (multilingual models). */
  readonly language: string;
  readonly maxThreads: number;
  readonly tokenTimestamps: boolean;
  /** Characters per segment; 1 with token timestamps makes each token a segment of its own. */
  readonly maxLen: number;
}

/** A segment as the addon gives it: times in milliseconds from the start of the audio. */
export interface TranscribedSegment {
  readonly text: string;
  readonly t0: number;
  readonly t1: number;
}

export interface TranscribeResult {
  readonly result: string;
  readonly segments: readonly TranscribedSegment[];
}

export interface WhisperContext {
  /** 16-bit signed mono PCM at 16 kHz (the addon converts it to floats); decodes on libuv's pool. */
  transcribeData(pcm: ArrayBuffer, options: TranscribeOptions): { readonly promise: Promise<unknown> };
  /** Cancels running decodes and frees the model once the last one ends. */
  release(): Promise<void>;
}

export interface VadContextOptions {
  readonly filePath: string;
  readonly useGpu: boolean;
  readonly nThreads: number;
}

/** A speech segment as the addon gives it: times in centiseconds from the start of the audio. */
export interface VadSegment {
  readonly t0: number;
  readonly t1: number;
}

export interface WhisperVadContext {
  /** 16-bit signed mono PCM at 16 kHz; runs on libuv's pool. */
  detectSpeechData(pcm: ArrayBuffer): Promise<unknown>;
  release(): Promise<void>;
}

/** A native log line: `level` is `error`, `warn`, `info` or `debug`. */
export type NativeLogListener = (level: string, text: string) => void;

export interface WhisperBinding {
  /** Loads the model on the calling thread (the constructor is synchronous); throws when it cannot. */
  readonly WhisperContext: (new (options: ContextOptions) => WhisperContext) & {
    /**
     * Sends whisper.cpp's log to `listener` instead of stderr, or (false) back to stderr. Lines come
     * through a thread-safe function: later, on the event loop, and it keeps the loop alive while on.
     */
    toggleNativeLog(enable: boolean, listener?: NativeLogListener): void;
  };
  readonly WhisperVadContext: new (options: VadContextOptions) => WhisperVadContext;
}

/** `cpu`, or `cuda` for the build of whisper.cpp with the CUDA backend. */
export type WhisperBuild = 'cpu' | 'cuda';

const loaded = new Map<WhisperBuild, WhisperBinding>();

/**
 * The addon of `build` for this platform, as `@fugood/whisper.node` would find it. A CUDA build
 * that is not installed, or whose CUDA libraries are missing, is an Error saying so.
 */
export function loadWhisperBinding(build: WhisperBuild): WhisperBinding {
  const cached = loaded.get(build);
  if (cached) return cached;
  const fromPackage = createRequire(createRequire(import.meta.url).resolve('@fugood/whisper.node'));
  const name = `@fugood/node-whisper-${process.platform}-${process.arch}${build === 'cuda' ? '-cuda' : ''}`;
  let binding: WhisperBinding;
  try {
    binding = fromPackage(name) as WhisperBinding;
  } catch (error) {
    const notInstalled = error instanceof Error && 'code' in error && error.code === 'MODULE_NOT_FOUND';
    if (build === 'cuda') {
      throw new Error(
        notInstalled
          ? `GPU_DEVICE_ID is set, but the CUDA build of whisper.cpp (${name}) is not installed`
          : `GPU_DEVICE_ID is set, but the CUDA build of whisper.cpp (${name}) could not be loaded: ${firstLine(error)}`,
      );
    }
    throw new Error(`whisper.cpp's addon ${name} could not be loaded: ${firstLine(error)}`);
  }
  loaded.set(build, binding);
  return binding;
}

/** Narrows what `transcribeData` resolves to. */
export function isTranscribeResult(value: unknown): value is TranscribeResult {
  return isObject(value) && typeof value['result'] === 'string' && Array.isArray(value['segments']) && value['segments'].every(isSegment);
}

/** Narrows what `detectSpeechData` resolves to. */
export function isVadSegmentList(value: unknown): value is VadSegment[] {
  return Array.isArray(value) && value.every((segment) => isObject(segment) && typeof segment['t0'] === 'number' && typeof segment['t1'] === 'number');
}

function isSegment(value: unknown): value is TranscribedSegment {
  return isObject(value) && typeof value['text'] === 'string' && typeof value['t0'] === 'number' && typeof value['t1'] === 'number';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
