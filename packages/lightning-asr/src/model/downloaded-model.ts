import { rm } from 'node:fs/promises';
import { relative } from 'node:path';
import type { Logger } from '@stt/shared';
import { isArchive } from './archive-format.js';
import { CacheEntry } from './cache-entry.js';
import { cachedModel } from './cached-model.js';
import { downloadWithRetries, MAX_BACKOFF_MS } from './download-with-retries.js';
import type { ModelUrl } from './model-url.js';
import type { ResolvedModel } from './resolved-model.js';
import { unpackArchive } from './unpack-archive.js';

/** Beyond its download, what a worker holding the lock may take (unpacking a large archive). */
const UNPACK_ALLOWANCE_MS = 10 * 60_000;

export interface DownloadedModelOptions {
  readonly cacheDir: string;
  readonly sha256: string | undefined;
  readonly downloadTimeoutMs: number;
  readonly retries: number;
  readonly backoffMs: number;
  readonly logger: Logger;
}

/**
 * An http(s) model: from the cache, or downloaded into it (and unpacked, for an archive, whose
 * download is deleted once unpacked).
 */
export async function downloadedModel(url: ModelUrl, options: DownloadedModelOptions): Promise<ResolvedModel> {
  const { logger } = options;
  const entry = new CacheEntry(options.cacheDir, url);
  // Another worker holding the lock may use every attempt, timing out each, and every backoff.
  const lockWaitMs = (options.retries + 1) * (options.downloadTimeoutMs + MAX_BACKOFF_MS) + UNPACK_ALLOWANCE_MS;
  return cachedModel(entry, { sha256: options.sha256, lockWaitMs, logger }, async () => {
    const file = await downloadWithRetries({
      url,
      filePath: entry.filePath,
      sha256: options.sha256,
      timeoutMs: options.downloadTimeoutMs,
      retries: options.retries,
      backoffMs: options.backoffMs,
      logger,
    });
    const manifest = { url: url.href, sha256: file.sha256, bytes: file.bytes, path: entry.name };
    if (!(await isArchive(entry.filePath, url.fileName))) return manifest;
    try {
      return { ...manifest, path: relative(options.cacheDir, await unpackArchive(entry.filePath, entry.unpackDir, logger)) };
    } finally {
      await rm(entry.filePath, { force: true });
    }
  });
}
