import { ERROR_STATUS, type ErrorCode } from './error-code.js';

export type ErrorExtra = Readonly<Record<string, string | number | boolean | readonly string[] | null>>;

/**
 * An error a client may see: a status from the contract's table, a stable code, one human
 * sentence and the table's extra fields. Anything else that escapes a handler is INTERNAL_ERROR.
 */
export class ApiError extends Error {
  readonly statusCode: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: ErrorExtra = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.statusCode = ERROR_STATUS[code];
  }

  /** The contract's envelope: `{"error","code","request_id",…extra}`. */
  toBody(requestId: string): Record<string, unknown> {
    return { error: this.message, code: this.code, request_id: requestId, ...this.extra };
  }

  /** Seconds the client should wait, for the `Retry-After` header, when the error carries one. */
  get retryAfterSeconds(): number | undefined {
    const value = this.extra.retry_after;
    return typeof value === 'number' ? value : undefined;
  }
}
