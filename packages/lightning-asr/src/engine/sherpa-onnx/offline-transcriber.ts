import { ENGINE_SAMPLE_RATE } from '@stt/shared';
import type { Transcript } from '../asr-engine.js';
import { DecoderPool } from '../decoder-pool.js';
import { toFloatSamples } from './pcm-float.js';
import type { OfflineRecognizer, OfflineRecognizerConfig, SherpaOnnxModule } from './sherpa-onnx-node-binding.js';
import { wordsFromText, wordsFromTokens } from './sherpa-onnx-words.js';

/**
 * Whole-utterance decoding on a pool of offline recognizers, each used by one decode at a time.
 * Loading and decoding both run on the addon's worker threads (`createAsync`, `decodeAsync`):
 * the event loop is free meanwhile. `createAsync` also turns an unreadable model file into a
 * rejection, where the synchronous constructor aborts the process (measured with 1.13.8).
 */
export class OfflineTranscriber {
  private constructor(private readonly pool: DecoderPool<OfflineRecognizer>) {}

  get size(): number {
    return this.pool.size;
  }

  /** Loads `count` recognizers one after another (each load is CPU-bound). */
  static async load(sherpa: SherpaOnnxModule, config: OfflineRecognizerConfig, count: number): Promise<OfflineTranscriber> {
    const recognizers: OfflineRecognizer[] = [];
    for (let i = 0; i < count; i++) recognizers.push(await sherpa.OfflineRecognizer.createAsync(config));
    return new OfflineTranscriber(new DecoderPool(recognizers));
  }

  transcribe(pcm: Int16Array): Promise<Transcript> {
    return this.pool.use(async (recognizer) => {
      const stream = recognizer.createStream();
      stream.acceptWaveform({ samples: toFloatSamples(pcm), sampleRate: ENGINE_SAMPLE_RATE });
      const result = await recognizer.decodeAsync(stream);
      const seconds = pcm.length / ENGINE_SAMPLE_RATE;
      const text = result.text.trim();
      const timed = wordsFromTokens(result, seconds);
      return { text, words: timed.length > 0 || text === '' ? timed : wordsFromText(text, seconds) };
    });
  }
}
