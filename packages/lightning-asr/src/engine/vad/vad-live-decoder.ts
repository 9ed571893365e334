import type { LiveDecoder } from '../asr-engine.js';
import type { VoiceActivityDetector } from './voice-activity-detector.js';

/**
 * The live decoder of an engine without native streaming (`vad-chunked`): a voice-activity model
 * follows the audio and tells the session where utterances end; there are no interim words, and
 * each utterance's final is the engine's whole-utterance decode (the session's second pass).
 */
export class VadLiveDecoder implements LiveDecoder {
  private vad: VoiceActivityDetector | undefined;

  constructor(
    private readonly createVad: () => VoiceActivityDetector,
    private readonly onRelease: () => void,
  ) {}

  async process(pcm: Int16Array): Promise<void> {
    this.vad ??= this.createVad();
    await this.vad.accept(pcm);
  }

  partial(): string {
    return '';
  }

  inSpeech(): boolean {
    return this.vad?.inSpeech() ?? false;
  }

  async nextUtterance(): Promise<void> {
    this.vad?.reset();
  }

  async release(): Promise<void> {
    this.vad?.free();
    this.vad = undefined;
    this.onRelease();
  }
}
