/**
 * 16-bit signed little-endian mono PCM as bytes and back: how segment audio is stored in Redis
 * and how clips are read from disk.
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
