import { ENGINE_SAMPLE_RATE } from '@stt/shared';
import type { Transcript } from '../asr-engine.js';
import { DecoderPool } from '../decoder-pool.js';
import { toFloatSamples } from './pcm-float.js';
import { decodeReady } from './decode-ready.js';
import type { OnlineRecognizer } from './sherpa-onnx-node-binding.js';
import { wordsFromTokens } from './sherpa-onnx-words.js';

/**
 * Whole-utterance decoding with a streaming model, which the offline recognizer cannot load: the
 * audio goes into a fresh online stream and is decoded chunk by chunk to its end. The binding has
 * no asynchronous decode for online streams, so each chunk's decode runs on the event loop; the
 * loop is given back between chunks, so other work waits for one chunk's decode at most (not
 * measured: no streaming model is available here). `slots` decodes at once share one recognizer,
 * since copies would not decode in parallel on the one thread either.
 */
export class OnlineTranscriber {
  private readonly slots: DecoderPool<OnlineRecognizer>;

  constructor(recognizer: OnlineRecognizer, slots: number) {
    this.slots = new DecoderPool(Array.from({ length: slots }, () => recognizer));
  }

  get size(): number {
    return this.slots.size;
  }

  transcribe(pcm: Int16Array): Promise<Transcript> {
    return this.slots.use(async (recognizer) => {
      const stream = recognizer.createStream();
      stream.acceptWaveform({ samples: toFloatSamples(pcm), sampleRate: ENGINE_SAMPLE_RATE });
      stream.inputFinished();
      await decodeReady(recognizer, stream);
      const result = recognizer.getResult(stream);
      const words = wordsFromTokens(result, pcm.length / ENGINE_SAMPLE_RATE);
      return { text: result.text.trim(), words };
    });
  }
}
