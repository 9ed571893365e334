import { mkdir } from 'node:fs/promises';
import type { Logger } from '@stt/shared';
import type { CacheEntry, CacheManifest } from './cache-entry.js';
import { withEntryLock } from './entry-lock.js';
import type { ResolvedModel } from './resolved-model.js';

export interface CachedModelOptions {
  /** The sha256 the cached model must have; undefined takes whatever the entry verified. */
  readonly sha256: string | undefined;
  /** How long to wait for another worker making the same entry. */
  readonly lockWaitMs: number;
  readonly logger: Logger;
}

/**
 * The entry's model from the cache when it is complete (no network, no lock), otherwise made by
 * `make` under the entry's lock: a worker that waited for the lock finds what the other made.
 */
export async function cachedModel(entry: CacheEntry, options: CachedModelOptions, make: () => Promise<CacheManifest>): Promise<ResolvedModel> {
  const { logger } = options;
  const found = async (): Promise<ResolvedModel | undefined> => {
    const cached = await entry.find(options.sha256);
    if (cached !== undefined) logger.info(`Using cached model ${cached.path}`);
    return cached;
  };
  const cached = await found();
  if (cached !== undefined) return cached;
  await mkdir(entry.cacheDir, { recursive: true });
  return withEntryLock(entry.filePath, { maxWaitMs: options.lockWaitMs, logger }, async () => (await found()) ?? entry.commit(await make()));
}
