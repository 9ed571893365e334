/**
 * A voice-activity model run over one live stream: audio goes in as it comes, in order, and it
 * tells whether the speaker is talking now. One instance per stream (it carries state).
 */
export interface VoiceActivityDetector {
  /** Feeds 16-bit mono PCM at `ENGINE_SAMPLE_RATE`; may run off the event loop. */
  accept(pcm: Int16Array): Promise<void>;
  /** Whether speech is heard at the end of what was accepted. */
  inSpeech(): boolean;
  /** Forgets the stream so far (the next utterance starts clean). */
  reset(): void;
  /** Frees the model's native state. */
  free(): void;
}
