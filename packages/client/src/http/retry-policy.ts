import { setTimeout as delay } from 'node:timers/promises';
import { SttError } from '../errors/stt-error.js';

export interface RetryOptions {
  /** Attempts after the first one (0: never retry). */
  readonly maxRetries?: number;
  /** The first backoff when the server names no wait; doubled each time, with jitter. */
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  /** The longest `Retry-After` honoured; a server asking for more gets its error thrown instead. */
  readonly maxRetryAfterMs?: number;
}

/** Called before each retry: what failed, and how long the client waits before the next attempt. */
export type RetryListener = (event: { readonly attempt: number; readonly delayMs: number; readonly error: SttError }) => void;

/**
 * When to try again: only errors that say so (busy, no capacity, nobody listening), waiting
 * what the server asked (`Retry-After`) or else an exponential backoff with jitter, so that many
 * clients refused together do not come back together.
 */
export class RetryPolicy {
  private readonly maxRetries: number;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRetryAfterMs: number;

  constructor(options: RetryOptions = {}, private readonly onRetry?: RetryListener) {
    this.maxRetries = options.maxRetries ?? 3;
    this.initialDelayMs = options.initialDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 10_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  }

  /** How long to wait before retry number `attempt` (1, 2, …) after `error`; undefined: give up. */
  delayMs(attempt: number, error: SttError): number | undefined {
    if (attempt > this.maxRetries || !error.retryable) return undefined;
    if (error.retryAfter !== undefined) {
      const asked = error.retryAfter * 1000;
      return asked <= this.maxRetryAfterMs ? asked : undefined;
    }
    const ceiling = Math.min(this.initialDelayMs * 2 ** (attempt - 1), this.maxDelayMs);
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  /**
   * Runs `attempt` until it succeeds or fails for good. `replayable` false (a stream already
   * read) makes the first failure final.
   */
  async run<T>(attempt: () => Promise<T>, { replayable = true, signal }: { replayable?: boolean; signal?: AbortSignal | undefined } = {}): Promise<T> {
    for (let retry = 1; ; retry++) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof SttError) || !replayable) throw error;
        const wait = this.delayMs(retry, error);
        if (wait === undefined) throw error;
        this.onRetry?.({ attempt: retry, delayMs: wait, error });
        await delay(wait, undefined, signal === undefined ? undefined : { signal });
      }
    }
  }
}
