import { setTimeout as sleep } from 'node:timers/promises';
import { lock } from 'proper-lockfile';
import type { Logger } from '@stt/shared';
import { ModelSourceError } from './errors/model-source-error.js';
import { formatSeconds } from './format-bytes.js';

/**
 * A holder refreshes its lock's mtime every STALE_MS / 2; a lock older than this belongs to a
 * worker that died, and is taken over.
 */
const STALE_MS = 20_000;
const POLL_MS = 250;

export interface EntryLockOptions {
  /** How long to wait for another worker holding the lock (its whole download, retries included). */
  readonly maxWaitMs: number;
  readonly logger: Logger;
}

/**
 * Runs `work` holding `<path>.lock`, so workers sharing a cache directory never write one entry
 * at once: the others wait (polling) and then find the entry finished.
 */
export async function withEntryLock<T>(path: string, options: EntryLockOptions, work: () => Promise<T>): Promise<T> {
  const { logger } = options;
  const lockfilePath = `${path}.lock`;
  const giveUpAt = Date.now() + options.maxWaitMs;
  let release: (() => Promise<void>) | undefined;
  let waiting = false;
  while (release === undefined) {
    try {
      release = await lock(path, {
        realpath: false,
        lockfilePath,
        stale: STALE_MS,
        // The default throws from a timer, which would crash the worker.
        onCompromised: (error) => logger.warn(`The model cache lock ${lockfilePath} was lost: ${error.message}`),
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      if (Date.now() >= giveUpAt) {
        throw new ModelSourceError(`Timed out after ${formatSeconds(options.maxWaitMs)} waiting for another worker's model download (${lockfilePath})`);
      }
      if (!waiting) logger.info(`Waiting for another worker to finish the model download (${lockfilePath})`);
      waiting = true;
      await sleep(POLL_MS);
    }
  }
  try {
    return await work();
  } finally {
    await release().catch((error: Error) => logger.debug({ err: error.message }, 'Could not release the model cache lock'));
  }
}
