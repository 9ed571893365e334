import type { RetryListener, RetryOptions } from './http/retry-policy.js';

export interface SttClientOptions {
  /** The API server, e.g. `http://localhost:7100`. */
  readonly baseUrl: string;
  /** The license key, sent as `Authorization: Token <key>`. */
  readonly apiKey?: string;
  /** Retries of busy answers (429, 503, a stream closed 1013) and refused connections. */
  readonly retry?: RetryOptions;
  /** Told before each retry (a CLI shows it). */
  readonly onRetry?: RetryListener;
  /** Bound of one transcription request; the server's own is 300 s. */
  readonly timeoutMs?: number;
  /** Bound of one health request. */
  readonly healthTimeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 330_000;
export const DEFAULT_HEALTH_TIMEOUT_MS = 5_000;
/** Unread live messages before reading pauses, and unsent audio bytes before `send` waits. */
export const DEFAULT_READ_HIGH_WATER_MARK = 256;
export const DEFAULT_SEND_HIGH_WATER_MARK = 1 << 20;
