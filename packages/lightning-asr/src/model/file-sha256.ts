import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Feeds the file at `path` into `hash` (streamed: models are gigabytes), and returns the hash. */
export async function hashFileInto(path: string, hash: Hash): Promise<Hash> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash;
}

/** The file's sha256 as lowercase hex. */
export async function fileSha256(path: string): Promise<string> {
  return (await hashFileInto(path, createHash('sha256'))).digest('hex');
}
