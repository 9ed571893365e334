import { endianness } from 'node:os';

/** The one sample rate audio travels at between the API server and workers, and every engine decodes. */
export const ENGINE_SAMPLE_RATE = 16_000;

/*
 * 16-bit signed little-endian mono PCM as bytes and back: how segment audio is stored in Redis,
 * how clips are read from disk, and how live audio arrives in frames.
 */

export function pcmToBytes(pcm: Int16Array): Buffer {
  // Int16Array bytes are little-endian on every platform Node supports here (x86-64, arm64).
  return Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
}

/** Copies into an aligned Int16Array: a Buffer's byteOffset may be odd. A trailing odd byte is dropped. */
export function pcmFromBytes(bytes: Buffer): Int16Array {
  const samples = new Int16Array(bytes.length >> 1);
  for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2);
  return samples;
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
