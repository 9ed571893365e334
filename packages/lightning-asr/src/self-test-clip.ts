import { readFile } from 'node:fs/promises';
import { ConfigError } from '@stt/shared';

/** Reads a headerless 16-bit little-endian mono PCM file (like Debian's `goforward.raw`). */
export async function readSelfTestClip(path: string): Promise<Int16Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    throw new ConfigError('ASR_SELF_TEST_AUDIO', `cannot read ${path} (install Debian's pocketsphinx-testdata)`);
  }
  if (bytes.length < 3200) throw new ConfigError('ASR_SELF_TEST_AUDIO', `${path} holds less than 0.1 s of audio`);
  // Copy into an aligned buffer: a Buffer's byteOffset may be odd.
  const samples = new Int16Array(Math.floor(bytes.length / 2));
  for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2);
  return samples;
}
