import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { limitedBody } from './body-stream.js';
import { parseAllowedHosts } from './allowed-hosts.js';
import { FetchDeadline } from './fetch-deadline.js';
import { parseClientUrl, resolveFetchTarget } from './fetch-target.js';
import { getOnce } from './http-get.js';
import { fetchFailed, fileTooLarge, tooManyRedirects, upstreamStatus } from './url-fetch-errors.js';

export const DEFAULT_MAX_REDIRECTS = 5;

export interface FetchAudioOptions {
  /** The operator's allow-list (`URL_FETCH_ALLOWED_HOSTS`); see allowed-hosts.ts for the entry format. */
  readonly allowedHosts: readonly string[];
  /** Time limit for the whole fetch: lookups, every hop and the body until it is fully read. */
  readonly timeoutMs: number;
  /** Largest body accepted, in bytes (FILE_TOO_LARGE beyond it). */
  readonly maxBytes: number;
  /** Redirects followed before giving up (default 5). */
  readonly maxRedirects?: number;
  /** Aborting it destroys the fetch (and the body stream) with the signal's reason. */
  readonly signal?: AbortSignal;
}

export interface FetchedAudio {
  /** The body; errors with FILE_TOO_LARGE / URL_FETCH_FAILED (an ApiError) when it cannot be completed. */
  readonly stream: Readable;
  readonly contentType?: string;
  /** The final response's Content-Length, when it sent a valid one. */
  readonly contentLength?: number;
  /** The URL the body came from, after redirects (for logs: it may name hosts the client did not). */
  readonly finalUrl: URL;
}

const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/**
 * Fetches a client-supplied audio URL without letting it reach the server's own network: every
 * hop's host is checked (fetch-target.ts) and the connection goes to exactly the checked addresses.
 * Resolves once the final response's headers have arrived; rejects with an ApiError
 * (INVALID_PARAMETER, URL_NOT_ALLOWED, URL_FETCH_FAILED, FILE_TOO_LARGE) or the caller's abort reason.
 */
export async function fetchAudio(url: string | URL, options: FetchAudioOptions): Promise<FetchedAudio> {
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  checkOptions(options, maxRedirects);
  const allowed = parseAllowedHosts(options.allowedHosts);
  let current = parseClientUrl(url);
  options.signal?.throwIfAborted();

  const deadline = new FetchDeadline(options.timeoutMs, options.signal);
  try {
    for (let redirects = 0; ; redirects++) {
      const origin = redirects === 0 ? 'client' : 'redirect';
      const target = await resolveFetchTarget(current, allowed, origin, deadline.signal);
      const response = await getOnce(target, deadline.signal);
      const status = response.statusCode ?? 0;

      if (REDIRECT_STATUSES.has(status)) {
        response.destroy();
        if (redirects >= maxRedirects) throw tooManyRedirects(maxRedirects);
        current = redirectTarget(response, current);
        continue;
      }
      if (status < 200 || status > 299) {
        response.destroy();
        throw upstreamStatus(status);
      }
      const contentLength = parseContentLength(response);
      if (contentLength !== undefined && contentLength > options.maxBytes) {
        response.destroy();
        throw fileTooLarge(options.maxBytes);
      }
      return {
        stream: limitedBody(response, options.maxBytes, deadline.signal, () => deadline.dispose()),
        contentType: response.headers['content-type'],
        contentLength,
        finalUrl: current,
      };
    }
  } catch (error) {
    deadline.dispose();
    throw error;
  }
}

/** The next hop's URL, relative to the current one; its scheme and host are checked by the next hop. */
function redirectTarget(response: IncomingMessage, current: URL): URL {
  const location = response.headers.location;
  if (location === undefined || location === '') throw upstreamStatus(response.statusCode ?? 0);
  try {
    return new URL(location, current);
  } catch {
    throw fetchFailed('the server redirected to an invalid location');
  }
}

function parseContentLength(response: IncomingMessage): number | undefined {
  const header = response.headers['content-length'];
  return header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined;
}

/** Longest delay setTimeout honours; a larger one would fire at once. */
const MAX_TIMEOUT_MS = 2_147_483_647;

function checkOptions(options: FetchAudioOptions, maxRedirects: number): void {
  const { timeoutMs, maxBytes } = options;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0 && timeoutMs <= MAX_TIMEOUT_MS)) {
    throw new RangeError(`fetchAudio: timeoutMs must be a number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`);
  }
  if (!(Number.isSafeInteger(maxBytes) && maxBytes >= 0)) {
    throw new RangeError('fetchAudio: maxBytes must be a non-negative integer');
  }
  if (!(Number.isSafeInteger(maxRedirects) && maxRedirects >= 0)) {
    throw new RangeError('fetchAudio: maxRedirects must be a non-negative integer');
  }
}
