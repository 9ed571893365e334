import type { LiveDecoder } from '../asr-engine.js';
import type { PocketSphinxLibrary } from './libpocketsphinx.js';
import { hypothesisText } from './pocketsphinx-words.js';

/**
 * One session's place among the live decoders. The PocketSphinx decoder (live mode,
 * `full_utt=0`) is taken on the first audio and given back, with the place, on release. Calls
 * come one at a time (the session queues them).
 */
export class PocketSphinxLiveDecoder implements LiveDecoder {
  private decoder: unknown;

  constructor(
    private readonly library: PocketSphinxLibrary,
    private readonly take: () => Promise<unknown>,
    private readonly onRelease: (decoder: unknown) => void,
  ) {}

  async process(pcm: Int16Array): Promise<void> {
    const decoder = this.decoder ?? (await this.begin());
    if ((await this.library.processRaw(decoder, pcm, false)) < 0) throw new Error('PocketSphinx failed to process audio');
  }

  partial(): string {
    return this.decoder === undefined ? '' : hypothesisText(this.library.hypothesis(this.decoder));
  }

  inSpeech(): boolean {
    return this.decoder !== undefined && this.library.inSpeech(this.decoder);
  }

  async nextUtterance(): Promise<void> {
    if (this.decoder === undefined) return;
    await this.library.endUtt(this.decoder);
    this.startUtterance(this.decoder);
  }

  async release(): Promise<void> {
    if (this.decoder !== undefined) await this.library.endUtt(this.decoder);
    this.onRelease(this.decoder);
  }

  private async begin(): Promise<unknown> {
    const decoder = await this.take();
    this.decoder = decoder;
    this.startUtterance(decoder);
    return decoder;
  }

  private startUtterance(decoder: unknown): void {
    if (this.library.startUtt(decoder) < 0) throw new Error('PocketSphinx could not start an utterance');
  }
}
