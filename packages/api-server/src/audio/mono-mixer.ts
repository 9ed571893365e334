import type { SampleEncoding, WavFormat } from './wav-format.js';

type SampleReader = (view: DataView, offset: number) => number;

/** Each encoding read as a number in [-1, 1) (floats may stray past it; they are clipped later). */
const SAMPLE_READERS: Record<SampleEncoding, SampleReader> = {
  uint8: (view, offset) => (view.getUint8(offset) - 128) / 128,
  int16: (view, offset) => view.getInt16(offset, true) / 32768,
  int24: (view, offset) => ((view.getUint16(offset, true) | (view.getInt8(offset + 2) << 16)) / 8388608),
  int32: (view, offset) => view.getInt32(offset, true) / 2147483648,
  float32: (view, offset) => view.getFloat32(offset, true),
  float64: (view, offset) => view.getFloat64(offset, true),
};

/**
 * Turns interleaved WAV sample bytes into mono samples, averaging the channels. Chunks of the
 * upload split frames anywhere, so the bytes of an incomplete last frame are kept for the next call.
 */
export class MonoMixer {
  private readonly readSample: SampleReader;
  private readonly bytesPerSample: number;
  private carry: Uint8Array = new Uint8Array(0);

  constructor(private readonly format: WavFormat) {
    this.readSample = SAMPLE_READERS[format.encoding];
    this.bytesPerSample = format.blockAlign / format.channels;
  }

  mix(chunk: Uint8Array): Float32Array {
    const bytes = this.carry.length === 0 ? chunk : Buffer.concat([this.carry, chunk]);
    const { blockAlign, channels } = this.format;
    const frames = Math.floor(bytes.length / blockAlign);
    // Copied, not a view: the chunk's buffer is the stream's and may be reused.
    this.carry = Uint8Array.from(bytes.subarray(frames * blockAlign));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const mono = new Float32Array(frames);
    for (let frame = 0; frame < frames; frame++) {
      let sum = 0;
      let offset = frame * blockAlign;
      for (let channel = 0; channel < channels; channel++, offset += this.bytesPerSample) {
        sum += this.readSample(view, offset);
      }
      mono[frame] = sum / channels;
    }
    return mono;
  }
}
