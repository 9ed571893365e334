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
  transcribe(pcm: Int16Array): Promise<Transcript>;
  close(): void;
}
