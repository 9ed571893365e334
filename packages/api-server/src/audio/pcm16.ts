import { endianness } from 'node:os';

/** The decoder's output format: what the ASR engine takes. */
export const OUTPUT_SAMPLE_RATE = 16_000;

/** Samples in [-1, 1] to 16-bit, rounded to nearest and clipped (float WAVs may exceed full scale). */
export function toInt16(samples: Float32Array): Int16Array {
  const output = new Int16Array(samples.length);
  for (let index = 0; index < samples.length; index++) {
    const scaled = Math.round(samples[index]! * 32768);
    output[index] = scaled > 32767 ? 32767 : scaled < -32768 ? -32768 : scaled;
  }
  return output;
}

const HOST_IS_LITTLE_ENDIAN = endianness() === 'LE';

/**
 * Reassembles 16-bit little-endian samples from a byte stream whose chunks may split a sample
 * between them: an odd trailing byte is kept for the next chunk.
 */
export class Int16Assembler {
  private carry: Uint8Array = new Uint8Array(0);

  push(chunk: Uint8Array): Int16Array {
    const bytes = this.carry.length === 0 ? chunk : Buffer.concat([this.carry, chunk]);
    const whole = bytes.length - (bytes.length % 2);
    const samples = new Int16Array(whole / 2);
    // Copied into a fresh, aligned buffer: the chunk's own may start at an odd offset.
    const sampleBytes = new Uint8Array(samples.buffer);
    sampleBytes.set(bytes.subarray(0, whole));
    if (!HOST_IS_LITTLE_ENDIAN) swapBytes(sampleBytes);
    this.carry = Uint8Array.from(bytes.subarray(whole));
    return samples;
  }
}

function swapBytes(bytes: Uint8Array): void {
  for (let index = 0; index + 1 < bytes.length; index += 2) {
    const low = bytes[index]!;
    bytes[index] = bytes[index + 1]!;
    bytes[index + 1] = low;
  }
}
