import koffi from 'koffi';

/**
 * The part of the PocketSphinx 5prealpha C API (Debian's libpocketsphinx3 + libsphinxbase3) that
 * the engine uses. Pointers stay opaque; `process_raw` and `end_utt` also run on libuv's thread
 * pool through koffi's `.async`, so decoding never blocks the event loop.
 */
export interface PocketSphinxLibrary {
  createDecoder(args: readonly string[]): Promise<unknown>;
  free(decoder: unknown): void;
  startUtt(decoder: unknown): number;
  /** `fullUtterance`: the whole utterance at once, so cepstral normalisation sees all of it (batch mode). */
  processRaw(decoder: unknown, pcm: Int16Array, fullUtterance: boolean): Promise<number>;
  endUtt(decoder: unknown): Promise<number>;
  hypothesis(decoder: unknown): string | null;
  /** Whether the voice-activity detector is in speech (live mode: after `processRaw(…, false)`). */
  inSpeech(decoder: unknown): boolean;
  segments(decoder: unknown): Segment[];
}

export interface Segment {
  readonly word: string;
  readonly startFrame: number;
  readonly endFrame: number;
  /** Posterior probability in 0..1. */
  readonly posterior: number;
}

type AsyncCallback<T> = (error: unknown, result: T) => void;

/** A koffi function's `.async` form: the C call runs on libuv's thread pool. */
interface AsyncCallable {
  async(...args: unknown[]): void;
}

function callAsync<T = number>(fn: AsyncCallable, ...args: unknown[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const callback: AsyncCallback<T> = (error, result) => (error ? reject(error) : resolve(result));
    fn.async(...args, callback);
  });
}

let loaded: PocketSphinxLibrary | undefined;

export function loadPocketSphinx(): PocketSphinxLibrary {
  if (loaded) return loaded;
  const sphinxbase = koffi.load('libsphinxbase.so.3');
  const pocketsphinx = koffi.load('libpocketsphinx.so.3');
  const cmdLnInit = sphinxbase.func('void *cmd_ln_init(void *, void *, int, ...)');
  const logmathExp = sphinxbase.func('double logmath_exp(void *, int)');
  const psArgs = pocketsphinx.func('void *ps_args()');
  const psInit = pocketsphinx.func('void *ps_init(void *)');
  const psFree = pocketsphinx.func('int ps_free(void *)');
  const psGetLogmath = pocketsphinx.func('void *ps_get_logmath(void *)');
  const psStartUtt = pocketsphinx.func('int ps_start_utt(void *)');
  const psProcessRaw = pocketsphinx.func('int ps_process_raw(void *, const int16_t *, size_t, int, int)');
  const psEndUtt = pocketsphinx.func('int ps_end_utt(void *)');
  const psGetHyp = pocketsphinx.func('const char *ps_get_hyp(void *, _Out_ int32_t *)');
  const psGetInSpeech = pocketsphinx.func('uint8_t ps_get_in_speech(void *)');
  const psSegIter = pocketsphinx.func('void *ps_seg_iter(void *)');
  const psSegNext = pocketsphinx.func('void *ps_seg_next(void *)');
  const psSegWord = pocketsphinx.func('const char *ps_seg_word(void *)');
  const psSegFrames = pocketsphinx.func('void ps_seg_frames(void *, _Out_ int *, _Out_ int *)');
  const psSegProb = pocketsphinx.func('int32_t ps_seg_prob(void *, _Out_ int32_t *, _Out_ int32_t *, _Out_ int32_t *)');

  loaded = {
    async createDecoder(args) {
      // cmd_ln_init is variadic: name/value string pairs terminated by NULL.
      const variadic: unknown[] = [];
      for (const arg of args) variadic.push('const char *', arg);
      variadic.push('const char *', null);
      const config: unknown = cmdLnInit(null, psArgs(), 1, ...variadic);
      if (!config) throw new Error('PocketSphinx rejected its configuration');
      // Loading the model takes most of a second: off the event loop too.
      const decoder = await callAsync<unknown>(psInit, config);
      if (!decoder) throw new Error('PocketSphinx could not load its model');
      return decoder;
    },
    free: (decoder) => void psFree(decoder),
    startUtt: (decoder) => psStartUtt(decoder) as number,
    processRaw: (decoder, pcm, fullUtterance) => callAsync(psProcessRaw, decoder, pcm, pcm.length, 0, fullUtterance ? 1 : 0),
    endUtt: (decoder) => callAsync(psEndUtt, decoder),
    hypothesis: (decoder) => psGetHyp(decoder, [0]) as string | null,
    inSpeech: (decoder) => (psGetInSpeech(decoder) as number) !== 0,
    segments(decoder) {
      const logmath: unknown = psGetLogmath(decoder);
      const segments: Segment[] = [];
      for (let seg: unknown = psSegIter(decoder); seg; seg = psSegNext(seg)) {
        const start = [0];
        const end = [0];
        psSegFrames(seg, start, end);
        const posterior = logmathExp(logmath, psSegProb(seg, [0], [0], [0])) as number;
        segments.push({ word: psSegWord(seg) as string, startFrame: start[0] ?? 0, endFrame: end[0] ?? 0, posterior });
      }
      return segments;
    },
  };
  return loaded;
}
