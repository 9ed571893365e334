import { Int16Assembler, type StreamEncoding } from '@stt/shared';
import { ENGINE_SAMPLE_RATE } from '@stt/shared';
import { toInt16 } from '../audio/pcm16.js';
import { SincResampler } from '../audio/sinc-resampler.js';
import { ALAW_TABLE, decodeG711, MULAW_TABLE } from './g711.js';

/**
 * A live stream's audio frames, in the client's encoding and rate, as the 16 kHz 16-bit samples
 * the workers take. Stateful: a frame may end mid-sample, and the resampler's filter spans frames.
 */
export class StreamAudioConverter {
  private readonly assembler = new Int16Assembler();
  private readonly resampler: SincResampler | undefined;

  constructor(
    private readonly encoding: StreamEncoding,
    sampleRate: number,
  ) {
    this.resampler = sampleRate === ENGINE_SAMPLE_RATE ? undefined : new SincResampler(sampleRate, ENGINE_SAMPLE_RATE);
  }

  convert(frame: Uint8Array): Int16Array {
    const samples = this.decode(frame);
    if (this.resampler === undefined) return samples;
    return toInt16(this.resampler.push(Float32Array.from(samples, (sample) => sample / 32768)));
  }

  private decode(frame: Uint8Array): Int16Array {
    switch (this.encoding) {
      case 'linear16':
        return this.assembler.push(frame);
      case 'mulaw':
        return decodeG711(frame, MULAW_TABLE);
      case 'alaw':
        return decodeG711(frame, ALAW_TABLE);
    }
  }
}
