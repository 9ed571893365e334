import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { ByteLimitStream } from './byte-limit-stream.js';
import { abortReason } from './safe-lookup.js';
import { networkFailure } from './url-fetch-errors.js';

/**
 * The response body as the caller sees it: at most `maxBytes` (more destroys it with
 * FILE_TOO_LARGE), destroyed with the signal's reason when the fetch's deadline passes or the
 * caller aborts, and with a client-safe URL_FETCH_FAILED when the connection breaks mid-body.
 * Whichever way it ends, the upstream connection is closed and `onClose` runs once.
 */
export function limitedBody(response: IncomingMessage, maxBytes: number, signal: AbortSignal, onClose: () => void): Readable {
  const body = new ByteLimitStream(maxBytes);
  const onAbort = (): void => {
    body.destroy(abortReason(signal));
  };
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) onAbort();
  response.on('error', (error) => {
    body.destroy(signal.aborted ? abortReason(signal) : networkFailure(error));
  });
  body.once('close', () => {
    signal.removeEventListener('abort', onAbort);
    response.destroy();
    onClose();
  });
  response.pipe(body);
  return body;
}
