import { ApiError } from '@stt/shared';

/*
 * The client-facing errors of URL fetching, in one place so their wording stays consistent.
 * Messages never carry what the server learnt on its own (resolved addresses, redirect targets,
 * system error text such as "connect ECONNREFUSED 10.1.2.3:80"): only what the client sent.
 */

const MIB = 1024 * 1024;

export function invalidUrl(parameter: string): ApiError {
  return new ApiError('INVALID_PARAMETER', `The ${parameter} is not a valid absolute URL.`, { parameter });
}

export function schemeNotAllowed(): ApiError {
  return new ApiError('URL_NOT_ALLOWED', 'Only http and https URLs can be fetched.');
}

export function hostNotAllowed(): ApiError {
  return new ApiError(
    'URL_NOT_ALLOWED',
    'The URL points to a loopback, private, link-local or otherwise internal address, which this server does not fetch from.',
  );
}

export function redirectNotAllowed(): ApiError {
  return new ApiError(
    'URL_NOT_ALLOWED',
    'The URL redirects to a location this server does not fetch from (not http(s), or an internal address).',
  );
}

export function fetchFailed(reason: string, extra: Record<string, number> = {}): ApiError {
  return new ApiError('URL_FETCH_FAILED', `The URL could not be fetched: ${reason}.`, extra);
}

export function upstreamStatus(status: number): ApiError {
  return fetchFailed(`the server answered with status ${status}`, { upstream_status: status });
}

export function fetchTimedOut(timeoutMs: number): ApiError {
  return fetchFailed(`it took longer than ${formatSeconds(timeoutMs)}`);
}

export function tooManyRedirects(maxRedirects: number): ApiError {
  return fetchFailed(`more than ${maxRedirects} redirects`);
}

/** FILE_TOO_LARGE naming the limit; `subject` says what was too large (an upload reuses this wording). */
export function fileTooLarge(maxBytes: number, subject = 'The file at the URL'): ApiError {
  // Megabytes as the upload limit counts them (MiB), to three significant digits for small limits.
  const maxSizeMb = Number((maxBytes / MIB).toPrecision(3));
  return new ApiError('FILE_TOO_LARGE', `${subject} is larger than ${maxSizeMb} MB.`, { max_size_mb: maxSizeMb });
}

/** A network failure as a client may see it: the kind of failure, never the system's message. */
export function networkFailure(error: unknown): ApiError {
  const code = errorCode(error);
  if (DNS_CODES.has(code)) return fetchFailed("the URL's host could not be resolved");
  if (code === 'ECONNREFUSED') return fetchFailed('the server refused the connection');
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return fetchFailed('the connection was closed before the response was complete');
  }
  if (UNREACHABLE_CODES.has(code)) return fetchFailed('the server could not be reached');
  if (isTlsCode(code)) return fetchFailed('the TLS connection to the server failed');
  if (code.startsWith('HPE_')) return fetchFailed('the server sent an invalid HTTP response');
  return fetchFailed('the connection to the server failed');
}

const DNS_CODES: ReadonlySet<string> = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'ENODATA', 'EAI_NONAME']);
const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
]);
/** OpenSSL and Node TLS error codes: handshake, protocol and certificate failures. */
const TLS_CODE_PREFIXES = [
  'ERR_TLS',
  'ERR_SSL',
  'ERR_OSSL',
  'CERT_',
  'UNABLE_TO_',
  'DEPTH_ZERO',
  'SELF_SIGNED',
  'HOSTNAME_MISMATCH',
  'EPROTO',
];

function isTlsCode(code: string): boolean {
  return TLS_CODE_PREFIXES.some((prefix) => code.startsWith(prefix));
}

function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return '';
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number(seconds.toPrecision(3))} second${seconds === 1 ? '' : 's'}`;
}
