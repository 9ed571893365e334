import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Logger } from '@stt/shared';
import { isArchive } from './archive-format.js';
import { CacheEntry } from './cache-entry.js';
import { cachedModel } from './cached-model.js';
import { ModelSourceError } from './errors/model-source-error.js';
import { fileSha256 } from './file-sha256.js';
import type { ModelUrl } from './model-url.js';
import type { ResolvedModel } from './resolved-model.js';
import { unpackArchive } from './unpack-archive.js';

/** Unpacking a local archive is all a worker holding its lock does. */
const UNPACK_WAIT_MS = 10 * 60_000;

/**
 * A `MODEL_PATH`: the file or folder used where it is, the file verified first when a sha256 is
 * given (a folder has no one sha256: it is not checked, and a warning says so).
 */
export async function localModel(path: string, sha256: string | undefined, logger: Logger): Promise<ResolvedModel> {
  const stats = await stat(path).catch(() => undefined);
  if (stats === undefined) throw new ModelSourceError(`Model file not found: ${path}`);
  if (stats.isDirectory()) {
    if (sha256 !== undefined) logger.warn(`MODEL_SHA256 is not checked: ${path} is a folder`);
    return { path, bytes: await folderBytes(path), fromCache: false };
  }
  if (sha256 === undefined) return { path, bytes: stats.size, fromCache: false };
  return { path, sha256: await verifiedSha256(path, sha256, logger), bytes: stats.size, fromCache: false };
}

export interface FileUrlModelOptions {
  readonly cacheDir: string;
  readonly sha256: string | undefined;
  readonly logger: Logger;
}

/**
 * A `file:` URL: a model file is used in place (verified first when a sha256 is given); an
 * archive is unpacked into the cache, once for each content (its sha256, computed at every start).
 */
export async function fileUrlModel(url: ModelUrl, options: FileUrlModelOptions): Promise<ResolvedModel> {
  const { logger } = options;
  const local = await localModel(url.filePath, options.sha256, logger);
  const stats = await stat(local.path);
  if (stats.isDirectory() || !(await isArchive(local.path, url.fileName))) return local;
  const sha256 = local.sha256 ?? (await fileSha256(local.path));
  const entry = new CacheEntry(options.cacheDir, url);
  return cachedModel(entry, { sha256, lockWaitMs: UNPACK_WAIT_MS, logger }, async () => ({
    url: url.href,
    sha256,
    bytes: local.bytes,
    path: relative(options.cacheDir, await unpackArchive(local.path, entry.unpackDir, logger)),
  }));
}

async function verifiedSha256(path: string, expected: string, logger: Logger): Promise<string> {
  const actual = await fileSha256(path);
  if (actual !== expected) throw new ModelSourceError(`Model checksum mismatch: expected ${expected}, got ${actual} (${path})`);
  logger.info(`Model checksum verified (sha256 ${actual})`);
  return actual;
}

async function folderBytes(path: string): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(path, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) bytes += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return bytes;
}
