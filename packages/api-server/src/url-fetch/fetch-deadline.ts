import { abortReason } from './safe-lookup.js';
import { fetchTimedOut } from './url-fetch-errors.js';

/**
 * One signal for the whole fetch — every DNS lookup, redirect hop and the body — that aborts when
 * the time limit passes (reason: URL_FETCH_FAILED) or when the caller's own signal aborts (its reason).
 */
export class FetchDeadline {
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;
  readonly #callerSignal: AbortSignal | undefined;
  readonly #onCallerAbort = (): void => {
    if (this.#callerSignal) this.#controller.abort(abortReason(this.#callerSignal));
  };

  constructor(timeoutMs: number, callerSignal?: AbortSignal) {
    this.#callerSignal = callerSignal;
    this.#timer = setTimeout(() => this.#controller.abort(fetchTimedOut(timeoutMs)), timeoutMs);
    if (callerSignal?.aborted) this.#onCallerAbort();
    else callerSignal?.addEventListener('abort', this.#onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The fetch is over (body consumed or destroyed, or the fetch failed): stop the clock. */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#callerSignal?.removeEventListener('abort', this.#onCallerAbort);
  }
}
