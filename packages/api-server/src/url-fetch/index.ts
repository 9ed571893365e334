/*
 * Safe fetching of client-supplied URLs (`POST /v1/listen` with `{"url"}`, webhook callbacks):
 * nothing reachable only from inside the server's network — loopback, private, link-local, CGNAT,
 * metadata services — unless the operator allows the host.
 */
export { refusedAddressReason, refusedHostnameReason } from './address-policy.js';
export { isHostAllowed, parseAllowedHosts, type AllowedHost } from './allowed-hosts.js';
export { assertUrlAllowed, resolveUrlTarget, type UrlCheckOptions } from './assert-url-allowed.js';
export { DEFAULT_MAX_REDIRECTS, fetchAudio, type FetchAudioOptions, type FetchedAudio } from './fetch-audio.js';
export type { FetchTarget } from './fetch-target.js';
export { ByteLimitStream } from './byte-limit-stream.js';
