import type { LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { refusedAddressReason, refusedHostnameReason } from './address-policy.js';
import { isHostAllowed, type AllowedHost } from './allowed-hosts.js';
import { pinnedLookup, resolveHostname } from './safe-lookup.js';
import { hostNotAllowed, invalidUrl, networkFailure, redirectNotAllowed, schemeNotAllowed } from './url-fetch-errors.js';

/** A URL that passed the address rules, with the only addresses its connection may use. */
export interface FetchTarget {
  readonly url: URL;
  /** For `http.request`: hands the socket the checked addresses, never resolves again. */
  readonly lookup: LookupFunction;
  /** On the operator's allow-list: its addresses were not checked. */
  readonly allowedByOperator: boolean;
}

/** Where the URL came from: the client's own, or a redirect's `Location` (refused with a different sentence). */
export type UrlOrigin = 'client' | 'redirect';

/** Parses a client-supplied URL; INVALID_PARAMETER when it is not an absolute URL at all. */
export function parseClientUrl(input: string | URL, parameter = 'url'): URL {
  if (input instanceof URL) return new URL(input.href);
  try {
    return new URL(input);
  } catch {
    throw invalidUrl(parameter);
  }
}

/**
 * Applies the address rules to a URL: http(s) only; unless the host is on the allow-list, an IP
 * literal must be public, a name must not be internal by definition (localhost, metadata names), and
 * every address the name resolves to must be public — one internal answer refuses the whole name,
 * since a name that mixes public and internal addresses is not one to trust.
 * Rejects with URL_NOT_ALLOWED, or URL_FETCH_FAILED when the name does not resolve.
 */
export async function resolveFetchTarget(
  url: URL,
  allowed: readonly AllowedHost[],
  origin: UrlOrigin,
  signal?: AbortSignal,
): Promise<FetchTarget> {
  const refused = origin === 'client' ? hostNotAllowed : redirectNotAllowed;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw origin === 'client' ? schemeNotAllowed() : refused();
  const allowedByOperator = isHostAllowed(url, allowed);
  const literal = ipLiteral(url.hostname);

  if (literal !== undefined) {
    if (!allowedByOperator && refusedAddressReason(literal.address) !== undefined) throw refused();
    return { url, lookup: pinnedLookup([literal]), allowedByOperator };
  }
  if (!allowedByOperator && refusedHostnameReason(url.hostname) !== undefined) throw refused();

  let addresses: LookupAddress[];
  try {
    addresses = await resolveHostname(url.hostname, signal);
  } catch (error) {
    if (signal?.aborted) throw error;
    throw networkFailure(error);
  }
  if (addresses.length === 0) throw networkFailure({ code: 'ENOTFOUND' });
  if (!allowedByOperator && addresses.some((entry) => refusedAddressReason(entry.address) !== undefined)) throw refused();
  return { url, lookup: pinnedLookup(addresses), allowedByOperator };
}

/**
 * The address of an IP-literal host. The URL parser has already turned every IPv4 spelling
 * (2130706433, 0177.0.0.1, 0x7f.1, 127.1, trailing dot) into dotted decimal and put IPv6 in brackets.
 */
function ipLiteral(hostname: string): LookupAddress | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  const family = isIP(bare);
  return family === 0 ? undefined : { address: bare, family };
}
