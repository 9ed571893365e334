import { join } from 'node:path';
import type { AsrEngine, EngineCapabilities, LiveDecoder, RecognizedWord, Transcript } from '../asr-engine.js';
import { DecoderPool } from '../decoder-pool.js';
import { LivePlaces } from '../live-places.js';
import type { PocketSphinxSpec } from '../engine-spec.js';
import { loadPocketSphinx, type PocketSphinxLibrary, type Segment } from './libpocketsphinx.js';
import { PocketSphinxLiveDecoder } from './pocketsphinx-live-decoder.js';
import { isWord, spelling } from './pocketsphinx-words.js';

/** PocketSphinx's default frame rate (`-frate 100`): segment frames are hundredths of a second. */
const FRAMES_PER_SECOND = 100;

/**
 * Live decoders end speech after 10 silent frames (100 ms) rather than the default 50: the
 * session's own end-of-utterance timeout (`eou_timeout_ms`, from 100 ms) decides the rest. Their
 * words are only interims (finals come from the second pass), so they skip the flat-lexicon and
 * lattice passes and search fewer HMMs and words per frame: on the LibriVox clips that halves the
 * live pass's CPU (RTF 0.167 → 0.084) with the same live words.
 */
const LIVE_ARGS = ['-vad_postspeech', '10', '-fwdflat', 'no', '-bestpath', 'no', '-maxhmmpf', '3000', '-maxwpf', '10'];

/**
 * Whole-utterance decoders keep silent frames (`-remove_silence` is on by default): with them
 * dropped, word times count only the frames kept, so every word after a pause came early (two
 * clips 2.5 s apart came back 0.9 s apart), and words could not be matched to the speaker
 * turns diarization finds in real time. Kept, digital silence alone decoded as a word ("dog",
 * "and"); dither (seeded, so a decode is repeatable) makes it silence again.
 */
const BATCH_ARGS = ['-remove_silence', 'no', '-dither', 'yes', '-seed', '1'];

/**
 * CMU PocketSphinx with its US-English model. A pool of decoders, each used by one utterance at
 * a time; every utterance is decoded as a whole on its decoder (what `pocketsphinx_batch` does).
 * Live sessions each hold a decoder of a second pool, in live mode, while they send audio.
 */
export class PocketSphinxEngine implements AsrEngine {
  readonly name = 'pocketsphinx';
  readonly model = 'en-us';
  readonly capabilities: EngineCapabilities = { batch: true, streaming: 'native', wordTimestamps: true, languages: ['en'] };
  readonly gpu = null;
  readonly capacity: number;
  private readonly library: PocketSphinxLibrary;
  private readonly pool: DecoderPool<unknown>;
  private readonly all: unknown[] = [];
  private readonly idleLive: unknown[] = [];
  private readonly live: LivePlaces;

  private constructor(
    library: PocketSphinxLibrary,
    decoders: readonly unknown[],
    liveDecoders: number,
    private readonly args: readonly string[],
  ) {
    this.library = library;
    this.pool = new DecoderPool(decoders);
    this.capacity = decoders.length;
    this.live = new LivePlaces(liveDecoders);
    this.all.push(...decoders);
  }

  /**
   * Loads the model into `options.decoders` decoders (each single-threaded, about 105 MB), one
   * after another (each load is CPU-bound). Live decoders are made on a session's first audio and
   * kept for the next session.
   */
  static async load(options: PocketSphinxSpec): Promise<PocketSphinxEngine> {
    const library = loadPocketSphinx();
    const args = [
      '-hmm', join(options.modelDir, 'en-us'),
      '-lm', join(options.modelDir, 'en-us.lm.bin'),
      '-dict', join(options.modelDir, 'cmudict-en-us.dict'),
      '-logfn', '/dev/null',
    ];
    const decoders: unknown[] = [];
    for (let i = 0; i < options.decoders; i++) decoders.push(await library.createDecoder([...args, ...BATCH_ARGS]));
    return new PocketSphinxEngine(library, decoders, options.liveDecoders, args);
  }

  transcribe(pcm: Int16Array): Promise<Transcript> {
    return this.pool.use(async (decoder) => {
      if (this.library.startUtt(decoder) < 0) throw new Error('PocketSphinx could not start an utterance');
      // Whole-utterance mode is what pocketsphinx_batch does: WER 0.28 on the LibriVox clips vs 0.37 live.
      if ((await this.library.processRaw(decoder, pcm, true)) < 0) throw new Error('PocketSphinx failed to process audio');
      if ((await this.library.endUtt(decoder)) < 0) throw new Error('PocketSphinx failed to finish the utterance');
      const words = this.library.segments(decoder).filter((segment) => isWord(segment.word)).map(toWord);
      return { text: words.map((word) => word.word).join(' '), words };
    });
  }

  get streamCapacity(): number {
    return this.live.capacity;
  }

  openLiveDecoder(): LiveDecoder | undefined {
    return this.live.take(
      (giveBack) =>
        new PocketSphinxLiveDecoder(this.library, () => this.takeLiveDecoder(), (decoder) => {
          giveBack();
          if (decoder !== undefined) this.idleLive.push(decoder);
        }),
    );
  }

  close(): void {
    for (const decoder of this.all) this.library.free(decoder);
    this.all.length = 0;
    this.idleLive.length = 0;
  }

  /** An idle live decoder, or a new one (about 0.7 s of CPU and 105 MB, kept for the next session). */
  private async takeLiveDecoder(): Promise<unknown> {
    const idle = this.idleLive.pop();
    if (idle !== undefined) return idle;
    const decoder = await this.library.createDecoder([...this.args, ...LIVE_ARGS]);
    this.all.push(decoder);
    return decoder;
  }
}

function toWord(segment: Segment): RecognizedWord {
  return {
    word: spelling(segment.word),
    start: segment.startFrame / FRAMES_PER_SECOND,
    end: (segment.endFrame + 1) / FRAMES_PER_SECOND,
    confidence: Math.min(1, Math.max(0, segment.posterior)),
  };
}
