import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

export interface SpooledFile {
  readonly path: string;
  /** Deletes the file (and its private directory). */
  remove(): Promise<void>;
}

/**
 * Writes a stream to a private temporary file. For containers ffmpeg cannot decode from a pipe:
 * an MP4/M4A whose index (moov) follows the audio needs seeking back. The disk holds the upload,
 * not the memory.
 */
export async function spoolToTempFile(bytes: AsyncIterable<Uint8Array>): Promise<SpooledFile> {
  const directory = await mkdtemp(join(tmpdir(), 'stt-audio-'));
  const path = join(directory, 'upload');
  const remove = (): Promise<void> => rm(directory, { recursive: true, force: true });
  try {
    await pipeline(bytes, createWriteStream(path, { mode: 0o600 }));
  } catch (error) {
    await remove();
    throw error;
  }
  return { path, remove };
}
