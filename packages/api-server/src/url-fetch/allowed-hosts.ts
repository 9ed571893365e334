import { normalizeHostname } from './address-policy.js';

/**
 * The operator's allow-list (`URL_FETCH_ALLOWED_HOSTS`, comma-separated): hosts whose URLs skip the
 * address check, for audio kept on an internal server on purpose.
 *
 * Each entry is a hostname or an IP literal, optionally with a port:
 *   `media.internal`, `10.0.0.5`, `::1` or `[::1]`, `media.internal:8080`, `[fd00::5]:8443`.
 * - Without a port the host is allowed on every port; with one, only on that port (the URL's
 *   effective port, so `host:80` matches `http://host/`).
 * - Matching is on the host as written in the URL (after URL normalisation: case, trailing dot,
 *   IPv4 shorthand such as `127.1`, IPv6 compression), not on what it resolves to: allowing
 *   `127.0.0.1` does not allow `localhost`, and allowing a name allows whatever it resolves to.
 * - No wildcards: every allowed host is named.
 */
export interface AllowedHost {
  /** The host as `URL.hostname` spells it: lower case, no trailing dot, IPv6 in brackets. */
  readonly hostname: string;
  /** Undefined: any port. */
  readonly port?: number;
}

/** Parses allow-list entries; throws an Error naming the first entry that is not a host. */
export function parseAllowedHosts(entries: readonly string[]): AllowedHost[] {
  return entries
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map(parseAllowedHost);
}

/** True when the URL's host (and port, where the entry names one) is on the list. */
export function isHostAllowed(url: URL, allowed: readonly AllowedHost[]): boolean {
  const hostname = normalizeHostname(url.hostname);
  const port = effectivePort(url);
  return allowed.some((entry) => entry.hostname === hostname && (entry.port === undefined || entry.port === port));
}

function parseAllowedHost(entry: string): AllowedHost {
  const { host, port } = splitHostPort(entry);
  let hostname: string;
  try {
    // The URL parser gives the entry the same normalisation as the URLs it is compared with.
    const parsed = new URL(`http://${host}/`);
    if (parsed.username !== '' || parsed.password !== '' || parsed.port !== '' || parsed.pathname !== '/') throw new Error();
    hostname = normalizeHostname(parsed.hostname);
  } catch {
    throw new Error(`URL fetch allow-list entry "${entry}" is not a hostname or IP address (with an optional :port)`);
  }
  if (hostname === '') throw new Error(`URL fetch allow-list entry "${entry}" has no host`);
  if (port === undefined) return { hostname };
  const portNumber = Number(port);
  if (!Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65_535) {
    throw new Error(`URL fetch allow-list entry "${entry}" has an invalid port`);
  }
  return { hostname, port: portNumber };
}

/** `[v6]:port`, `[v6]`, bare `v6` (two or more colons, so no port), `host:port`, `host`. */
function splitHostPort(entry: string): { host: string; port?: string } {
  const bracketed = /^(\[[^\]]*\])(?::(\d+))?$/.exec(entry);
  if (bracketed) return { host: bracketed[1] ?? '', port: bracketed[2] };
  const colons = entry.split(':').length - 1;
  if (colons >= 2) return { host: `[${entry}]` };
  if (colons === 1) {
    const [host = '', port = ''] = entry.split(':');
    return { host, port };
  }
  return { host: entry };
}

function effectivePort(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}
