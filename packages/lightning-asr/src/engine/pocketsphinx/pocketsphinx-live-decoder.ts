import type { LiveDecoder } from '../asr-engine.js';
import type { PocketSphinxLibrary } from './libpocketsphinx.js';
import { hypothesisText } from './pocketsphinx-words.js';

/** One PocketSphinx decoder in live mode (`full_utt=0`), held by one session until released. */
export class PocketSphinxLiveDecoder implements LiveDecoder {
  constructor(
    private readonly library: PocketSphinxLibrary,
    private readonly decoder: unknown,
    private readonly onRelease: (decoder: unknown) => void,
  ) {}

  /** Starts the first utterance; false when PocketSphinx refuses. */
  begin(): boolean {
    return this.library.startUtt(this.decoder) >= 0;
  }

  async process(pcm: Int16Array): Promise<void> {
    if ((await this.library.processRaw(this.decoder, pcm, false)) < 0) throw new Error('PocketSphinx failed to process audio');
  }

  partial(): string {
    return hypothesisText(this.library.hypothesis(this.decoder));
  }

  inSpeech(): boolean {
    return this.library.inSpeech(this.decoder);
  }

  async nextUtterance(): Promise<void> {
    await this.library.endUtt(this.decoder);
    if (!this.begin()) throw new Error('PocketSphinx could not start an utterance');
  }

  async release(): Promise<void> {
    await this.library.endUtt(this.decoder);
    this.onRelease(this.decoder);
  }
}
