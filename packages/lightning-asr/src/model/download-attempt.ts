import { createHash, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import type { Logger } from '@stt/shared';
import { DownloadProgress } from './download-progress.js';
import { errorText } from './error-text.js';
import { formatBytes, formatSeconds } from './format-bytes.js';
import { hashFileInto } from './file-sha256.js';
import type { ModelUrl } from './model-url.js';

/** An attempt also ends when no byte arrives for this long (or for its whole timeout, if shorter). */
const STALL_MS = 30_000;

export interface DownloadedFile {
  readonly bytes: number;
  /** Of the whole file, resumed prefix included, as lowercase hex. */
  readonly sha256: string;
}

export interface AttemptOptions {
  readonly url: ModelUrl;
  /** Where the bytes go; what an earlier attempt left there is resumed with a `Range` request. */
  readonly partialPath: string;
  /** The whole attempt (the request and every byte of the body) must finish within this. */
  readonly timeoutMs: number;
  readonly logger: Logger;
}

/**
 * One download attempt into `partialPath`, hashing while it writes. A partial file from before is
 * resumed: its bytes are hashed first, then `Range: bytes=<size>-` is asked for; a 200 answer
 * starts over, and a 206 must resume exactly there (`Content-Range`). Throws an Error saying why
 * the attempt failed; the partial file is kept for the next attempt unless it cannot be resumed.
 */
export async function downloadAttempt(options: AttemptOptions): Promise<DownloadedFile> {
  const { url, partialPath, logger } = options;
  const offset = (await stat(partialPath).catch(() => undefined))?.size ?? 0;
  // Hashed before the request, so the timers time the network and not the disk.
  const prefixHash = offset > 0 ? await hashFileInto(partialPath, createHash('sha256')) : undefined;

  const controller = new AbortController();
  let timedOut: string | undefined;
  const abort = (why: string): void => {
    timedOut ??= why;
    controller.abort();
  };
  const stallMs = Math.min(options.timeoutMs, STALL_MS);
  const deadline = setTimeout(() => abort(`not finished within ${formatSeconds(options.timeoutMs)} (DOWNLOAD_TIMEOUT)`), options.timeoutMs);
  let stall = setTimeout(() => abort(`no data for ${formatSeconds(stallMs)}`), stallMs);
  const progressed = (): void => {
    clearTimeout(stall);
    stall = setTimeout(() => abort(`no data for ${formatSeconds(stallMs)}`), stallMs);
  };
  try {
    const response = await fetch(url.href, {
      headers: url.headers(offset > 0 ? { range: `bytes=${offset}-` } : {}),
      signal: controller.signal,
    });
    progressed();
    const start = await resumedAt(response, offset, partialPath, logger);
    const hash = start > 0 && prefixHash !== undefined ? prefixHash : createHash('sha256');
    const length = Number(response.headers.get('content-length') ?? Number.NaN);
    const total = Number.isFinite(length) ? start + length : undefined;
    const progress = new DownloadProgress(logger, start, total);
    let bytes = start;
    await pipeline(
      Readable.fromWeb(response.body as ReadableStream<Uint8Array>),
      countAndHash(hash, (chunkBytes) => {
        bytes += chunkBytes;
        progress.add(chunkBytes);
        progressed();
      }),
      createWriteStream(partialPath, { flags: start > 0 ? 'a' : 'w' }),
    );
    if (total !== undefined && bytes !== total) throw new Error(`the connection closed after ${bytes} of ${total} bytes`);
    return { bytes, sha256: hash.digest('hex') };
  } catch (error) {
    throw new Error(timedOut ?? errorText(error), { cause: error });
  } finally {
    clearTimeout(deadline);
    clearTimeout(stall);
  }
}

/**
 * Where the response's body starts in the file: `offset` for a resumed (206) answer, 0 for a
 * whole (200) one. Throws for any other status, and for a resume that cannot be trusted, after
 * deleting the partial file so the next attempt starts over.
 */
async function resumedAt(response: Response, offset: number, partialPath: string, logger: Logger): Promise<number> {
  const refuse = async (why: string): Promise<never> => {
    await response.body?.cancel();
    await rm(partialPath, { force: true });
    throw new Error(why);
  };
  if (response.status === 200) {
    if (offset > 0) logger.info('The server sent the whole file instead of the rest: starting over');
    return 0;
  }
  if (response.status === 206 && offset > 0) {
    const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
    if (range === null || Number(range[1]) !== offset) {
      return refuse(`the server resumed with Content-Range "${response.headers.get('content-range') ?? ''}", not at byte ${offset}`);
    }
    logger.info(`Resuming download at ${formatBytes(offset)}`);
    return offset;
  }
  if (response.status === 416 && offset > 0) return refuse(`the server cannot resume at byte ${offset} (HTTP 416)`);
  await response.body?.cancel();
  throw new Error(`HTTP ${response.status}`);
}

/** Passes chunks through unchanged, feeding each to `hash` and reporting its size. */
function countAndHash(hash: Hash, onChunk: (bytes: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      onChunk(chunk.length);
      done(null, chunk);
    },
  });
}
