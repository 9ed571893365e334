import type { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';

/**
 * Every address a hostname resolves to (the system resolver: /etc/hosts, then DNS). A lookup cannot
 * be cancelled, so when `signal` aborts first this rejects at once with its reason and the lookup's
 * late answer is dropped.
 */
export function resolveHostname(hostname: string, signal?: AbortSignal): Promise<LookupAddress[]> {
  const resolving = lookup(hostname, { all: true });
  if (!signal) return resolving;
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    resolving.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * A `lookup` for `http.request` that answers only with addresses resolved and checked beforehand.
 * The socket then connects to exactly what was checked: there is no second resolution that a
 * rebinding DNS server could answer with an internal address.
 */
export function pinnedLookup(addresses: readonly LookupAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const family = familyNumber(options.family);
    const candidates = addresses.filter((entry) => family === 0 || entry.family === family);
    const first = candidates[0];
    if (first === undefined) {
      const error: NodeJS.ErrnoException = new Error('no checked address of the requested family');
      error.code = 'ENOTFOUND';
      callback(error, []);
      return;
    }
    if (options.all) callback(null, candidates.map((entry) => ({ address: entry.address, family: entry.family })));
    else callback(null, first.address, first.family);
  };
}

function familyNumber(family: number | 'IPv4' | 'IPv6' | undefined): number {
  if (family === 'IPv4') return 4;
  if (family === 'IPv6') return 6;
  return family ?? 0;
}

/** The reason an aborted signal carries, as an Error (the default reason is a DOMException AbortError). */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('The operation was aborted', 'AbortError');
}
