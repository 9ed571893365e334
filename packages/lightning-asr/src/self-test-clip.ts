import { readFile } from 'node:fs/promises';
import { ConfigError, pcmFromBytes } from '@stt/shared';

/** Reads a headerless 16-bit little-endian mono PCM file (like Debian's `goforward.raw`). */
export async function readSelfTestClip(path: string): Promise<Int16Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    throw new ConfigError('ASR_SELF_TEST_AUDIO', `cannot read ${path} (install Debian's pocketsphinx-testdata)`);
  }
  if (bytes.length < 3200) throw new ConfigError('ASR_SELF_TEST_AUDIO', `${path} holds less than 0.1 s of audio`);
  return pcmFromBytes(bytes);
}
