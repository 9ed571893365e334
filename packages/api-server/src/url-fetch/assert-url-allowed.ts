import { parseAllowedHosts } from './allowed-hosts.js';
import { parseClientUrl, resolveFetchTarget, type FetchTarget } from './fetch-target.js';

export interface UrlCheckOptions {
  /** Request parameter named in INVALID_PARAMETER when the URL does not parse (default `url`). */
  readonly parameter?: string;
  /** Aborts the DNS lookup (rejects with the signal's reason). */
  readonly signal?: AbortSignal;
}

/**
 * The address rules of `fetchAudio` for a URL the server will contact later, such as a webhook
 * `callback_url`: resolves its host now and rejects with INVALID_PARAMETER, URL_NOT_ALLOWED, or
 * URL_FETCH_FAILED when the host does not resolve. Resolves with the parsed URL.
 *
 * A check now does not cover a later request (DNS may answer differently by then): the code that
 * sends the callback should use `resolveUrlTarget` at sending time and connect with its `lookup`.
 */
export async function assertUrlAllowed(
  url: string | URL,
  allowedHosts: readonly string[],
  options: UrlCheckOptions = {},
): Promise<URL> {
  return (await resolveUrlTarget(url, allowedHosts, options)).url;
}

/**
 * Checks a URL and returns it with a `lookup` for `http.request`/`https.request` that connects only
 * to the addresses checked (use it with `agent: false`, so no pooled socket skips it). Redirects are
 * not followed by those requests; a caller that follows one checks the new URL the same way.
 */
export function resolveUrlTarget(
  url: string | URL,
  allowedHosts: readonly string[],
  options: UrlCheckOptions = {},
): Promise<FetchTarget> {
  const allowed = parseAllowedHosts(allowedHosts);
  return resolveFetchTarget(parseClientUrl(url, options.parameter), allowed, 'client', options.signal);
}
