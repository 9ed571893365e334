import type { RecognizedWord } from '@stt/shared';

export type { RecognizedWord };

/** Words with times in seconds from the start of the audio given, confidence in 0..1. */
export interface Transcript {
  readonly text: string;
  readonly words: readonly RecognizedWord[];
}

/**
 * How an engine serves live audio: `native` decodes it incrementally (interim words as they come);
 * `vad-chunked` has a voice-activity model cut utterances, each decoded whole when it ends.
 */
export type StreamingMode = 'native' | 'vad-chunked';

/** What an engine can do, as workers advertise it in the registry and in `/health`. */
export interface EngineCapabilities {
  readonly batch: true;
  readonly streaming: StreamingMode;
  readonly wordTimestamps: boolean;
  /** Language codes it transcribes (ISO 639-1, `en`); a multilingual model lists all it knows. */
  readonly languages: readonly string[];
}

/**
 * A speech recogniser. Implementations decode off the caller's event loop and accept as many
 * concurrent `transcribe` calls as `capacity`; further calls wait for a free slot.
 */
export interface AsrEngine {
  readonly name: string;
  /** The model's name as clients pick it with the `model` option (`en-us`, `ggml-base.en`). */
  readonly model: string;
  readonly capabilities: EngineCapabilities;
  /** The GPU it decodes on, or null on the CPU. */
  readonly gpu: string | null;
  readonly capacity: number;
  /** Live sessions at once; each holds a place, and a live decoder of its own once audio comes. */
  readonly streamCapacity: number;
  /** Decodes 16-bit signed mono PCM at `ENGINE_SAMPLE_RATE`. */
  transcribe(pcm: Int16Array): Promise<Transcript>;
  /**
   * A live decoder for one session, or undefined when `streamCapacity` are taken. Its model is
   * loaded on the first audio, so a session that sends nothing costs no decoder memory.
   */
  openLiveDecoder(): LiveDecoder | undefined;
  close(): void;
}

/**
 * Incremental decoding of one live stream: audio goes in as it comes, a partial hypothesis and
 * the voice-activity state come out. Words of record come from `transcribe` over the finished
 * utterance; the live pass is for showing words early and for finding where utterances end.
 */
export interface LiveDecoder {
  /** Decodes more audio (off the event loop); the first call also takes a loaded decoder. */
  process(pcm: Int16Array): Promise<void>;
  /** The live hypothesis of the current utterance so far ('' when none). */
  partial(): string;
  /** Whether the voice-activity detector hears speech now. */
  inSpeech(): boolean;
  /** Ends the current utterance and starts the next one. */
  nextUtterance(): Promise<void>;
  /** Gives the decoder and the session's place back. */
  release(): Promise<void>;
}
