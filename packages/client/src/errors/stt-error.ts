import type { ErrorCode } from '@stt/shared';

/**
 * The server's codes (the contract's error table), plus the client's own for failures that have
 * no server answer: the server could not be reached, did not answer in time, answered something
 * that is not the API's, or a live stream ended without saying why.
 */
export type SttErrorCode = ErrorCode | 'NETWORK_ERROR' | 'TIMEOUT' | 'INVALID_RESPONSE' | 'STREAM_CLOSED' | 'INVALID_SIGNATURE' | (string & {});

export interface SttErrorFields {
  readonly code: SttErrorCode;
  /** HTTP status of the answer; undefined when there was none. */
  readonly status?: number | undefined;
  /** The server's `request_id` (also its `X-Request-ID` header). */
  readonly requestId?: string | undefined;
  /** Seconds the server asked to wait (`Retry-After` header or `retry_after` field). */
  readonly retryAfter?: number | undefined;
  /** The WebSocket close code, for a live stream. */
  readonly closeCode?: number | undefined;
  /** The error body's other fields (`supported_formats`, `parameter`, `upstream_status`, …). */
  readonly details?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

/** Every failure of the client: the server's error body, or the client's own code for one without. */
export class SttError extends Error {
  readonly code: SttErrorCode;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  readonly retryAfter: number | undefined;
  readonly closeCode: number | undefined;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(message: string, fields: SttErrorFields) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = 'SttError';
    this.code = fields.code;
    this.status = fields.status;
    this.requestId = fields.requestId;
    this.retryAfter = fields.retryAfter;
    this.closeCode = fields.closeCode;
    this.details = fields.details ?? {};
  }

  /**
   * Worth trying again unchanged: the server is busy or momentarily without capacity (429, 502,
   * 503, a stream closed 1013), or could not be connected to at all.
   */
  get retryable(): boolean {
    if (this.code === 'LICENSE_UNAVAILABLE') return false;
    if (this.status === 429 || this.status === 502 || this.status === 503) return true;
    if (this.closeCode === 1013) return true;
    return this.code === 'NETWORK_ERROR' && connectionRefused(this.cause);
  }
}

/** A connection that was never made cannot have delivered a request: retrying it is always safe. */
function connectionRefused(cause: unknown): boolean {
  const code = (cause as { code?: unknown } | undefined)?.code ?? ((cause as { cause?: { code?: unknown } } | undefined)?.cause?.code);
  return code === 'ECONNREFUSED';
}
