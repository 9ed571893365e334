import type { RecognizedWord } from '@stt/shared';

export type { RecognizedWord };

/** Words with times in seconds from the start of the audio given, confidence in 0..1. */
export interface Transcript {
  readonly text: string;
  readonly words: readonly RecognizedWord[];
}

/**
 * A speech recogniser. Implementations decode off the caller's event loop and accept as many
 * concurrent `transcribe` calls as `capacity`; further calls wait for a free slot.
 */
export interface AsrEngine {
  readonly name: string;
  readonly model: string;
  /** Sample rate `transcribe` expects: 16-bit signed mono PCM at this rate. */
  readonly sampleRate: number;
  readonly capacity: number;
  /** Live sessions at once; each holds a place, and a live decoder of its own once audio comes. */
  readonly streamCapacity: number;
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
