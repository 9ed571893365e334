import { rename, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@stt/shared';
import { downloadAttempt, type DownloadedFile } from './download-attempt.js';
import { ModelSourceError } from './errors/model-source-error.js';
import { formatBytes, formatSeconds } from './format-bytes.js';
import type { ModelUrl } from './model-url.js';
import { fetchPublishedChecksum } from './published-checksum.js';

/** The delay before a retry doubles from `backoffMs` up to this. */
export const MAX_BACKOFF_MS = 60_000;

export interface DownloadOptions {
  readonly url: ModelUrl;
  /** Where the verified file ends up; it is written as `<filePath>.partial` until then. */
  readonly filePath: string;
  /** Lowercase hex; when undefined, `<url>.sha256` is asked for (none published: unverified). */
  readonly sha256: string | undefined;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly backoffMs: number;
  readonly logger: Logger;
}

/**
 * Downloads the model to `filePath`, retrying with exponential backoff; each attempt resumes what
 * the last one left. A file whose sha256 does not match is deleted and the attempt counts as
 * failed, so `filePath` only ever holds a verified file (or, with no checksum known, a complete one).
 */
export async function downloadWithRetries(options: DownloadOptions): Promise<DownloadedFile> {
  const { url, logger } = options;
  const partialPath = `${options.filePath}.partial`;
  const attempts = options.retries + 1;
  let expected = options.sha256;
  let checksumLooked = expected !== undefined;
  let lastFailure = '';
  logger.info(`Downloading model from ${url.shown}`);
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      if (!checksumLooked) {
        expected = await fetchPublishedChecksum(url, options.timeoutMs, logger);
        checksumLooked = true;
      }
      const file = await downloadAttempt({ url, partialPath, timeoutMs: options.timeoutMs, logger });
      if (expected !== undefined && file.sha256 !== expected) {
        await rm(partialPath, { force: true });
        throw new Error(`checksum mismatch (expected ${expected}, got ${file.sha256})`);
      }
      await rename(partialPath, options.filePath);
      logger.info(`Model downloaded: ${formatBytes(file.bytes)}`);
      if (expected !== undefined) logger.info(`Model checksum verified (sha256 ${expected})`);
      return file;
    } catch (error) {
      // Each step's Error already says what failed, in words.
      lastFailure = error instanceof Error ? error.message : String(error);
      logger.warn(`Download attempt ${attempt} failed: ${lastFailure}`);
    }
    if (attempt < attempts) {
      const delayMs = Math.min(options.backoffMs * 2 ** (attempt - 1), MAX_BACKOFF_MS);
      logger.info(`Retrying download in ${formatSeconds(delayMs)}...`);
      await sleep(delayMs);
    }
  }
  logger.error(`Download failed after ${attempts} attempts`);
  throw new ModelSourceError(`Failed to download model: ${lastFailure} from ${url.shown} after ${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}`);
}
