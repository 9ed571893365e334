import type { Logger } from '@stt/shared';
import { errorText } from './error-text.js';
import type { ModelUrl } from './model-url.js';

/** A `.sha256` file is one line; anything much longer is some other page. */
const MAX_CHECKSUM_FILE_CHARS = 64 * 1024;
/** The checksum file is small: it gets this long at most, whatever DOWNLOAD_TIMEOUT is. */
const CHECKSUM_TIMEOUT_MS = 30_000;

/**
 * The sha256 published beside the model as `<url>.sha256`, or undefined when the server has none
 * (HTTP 404, logged as a warning: the model is then used unverified). Any other failure throws,
 * so a checksum that exists is never skipped because the server had a bad moment.
 */
export async function fetchPublishedChecksum(url: ModelUrl, timeoutMs: number, logger: Logger): Promise<string | undefined> {
  const checksumUrl = url.withPathSuffix('.sha256');
  let text: string;
  try {
    const response = await fetch(checksumUrl.href, {
      headers: checksumUrl.headers(),
      signal: AbortSignal.timeout(Math.min(timeoutMs, CHECKSUM_TIMEOUT_MS)),
    });
    if (response.status === 404) {
      await response.body?.cancel();
      logger.warn(`No checksum published at ${checksumUrl.shown} (HTTP 404): the model will not be verified`);
      return undefined;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status}`);
    }
    text = await response.text();
  } catch (error) {
    throw new Error(`checksum file ${checksumUrl.shown}: ${errorText(error)}`);
  }
  return parseChecksumFile(text, url.fileName, checksumUrl.shown);
}

/**
 * The sha256 in a checksum file: bare hex, or sha256sum's `<hex>  name` lines (the line naming
 * `fileName` when there are several).
 */
export function parseChecksumFile(text: string, fileName: string, source: string): string {
  const entries = text
    .slice(0, MAX_CHECKSUM_FILE_CHARS)
    .split('\n')
    .map((line) => /^([0-9a-fA-F]{64})(?:\s+\*?(.+?))?\s*$/.exec(line.trim()))
    .filter((match) => match !== null);
  const entry = entries.length === 1 ? entries[0] : entries.find((match) => match[2]?.split('/').pop() === fileName);
  if (entry?.[1] === undefined) throw new Error(`checksum file ${source} holds no sha256 for ${fileName}`);
  return entry[1].toLowerCase();
}
