import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { FetchTarget } from './fetch-target.js';
import { abortReason } from './safe-lookup.js';
import { networkFailure } from './url-fetch-errors.js';

const REQUEST_HEADERS = {
  accept: 'audio/*, video/*;q=0.9, */*;q=0.8',
  // Compressed bodies would make the byte limit count the wrong bytes; audio barely compresses anyway.
  'accept-encoding': 'identity',
  'user-agent': 'stt-api-server (url fetch)',
  connection: 'close',
};

/**
 * One GET to a checked target; resolves with the response as soon as its headers arrive (the body
 * is the caller's to read or destroy). Rejects with a client-safe URL_FETCH_FAILED, or with the
 * signal's reason when it aborts.
 */
export function getOnce(target: FetchTarget, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortReason(signal));
      return;
    }
    const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(target.url, {
      method: 'GET',
      headers: REQUEST_HEADERS,
      lookup: target.lookup,
      // A fresh connection per hop: a pooled keep-alive socket would bypass this hop's checked lookup.
      agent: false,
    });
    const onAbort = (): void => {
      request.destroy(abortReason(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    request.once('response', (response) => {
      signal.removeEventListener('abort', onAbort);
      resolve(response);
    });
    // Kept for the request's whole life (`on`, not `once`): a socket error after the headers
    // must not become an unhandled 'error' event; the body stream reports those.
    request.on('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      reject(signal.aborted ? abortReason(signal) : networkFailure(error));
    });
    request.end();
  });
}
