import { CLOSE_CODES, ERROR_STATUS, type ErrorCode } from '@stt/shared';

/** How a live stream ended: its close code (none when the client went away) and error code, if any. */
export interface StreamEnd {
  readonly closeCode?: number;
  readonly errorCode?: string;
}

/** Requests answered in the window, and how many of them failed server-side. */
export interface OutcomeCounts {
  readonly requests: number;
  readonly serverErrors: number;
}

/**
 * The outcomes of recent transcription requests, in a ring of one-second buckets covering the
 * window: recording one is a clock read and two increments, whatever the traffic; summing the
 * window is done by the health probe, never on a request.
 */
export class RequestOutcomes {
  /** The second (since the epoch) each bucket holds; a bucket from an older lap counts as empty. */
  private readonly bucketSecond: Float64Array;
  private readonly requests: Uint32Array;
  private readonly serverErrors: Uint32Array;

  constructor(
    readonly windowSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.bucketSecond = new Float64Array(windowSeconds).fill(-1);
    this.requests = new Uint32Array(windowSeconds);
    this.serverErrors = new Uint32Array(windowSeconds);
  }

  /** One request answered with HTTP `status`: a 5xx is a server-side failure, anything else is not. */
  record(status: number): void {
    this.add(status >= 500);
  }

  /**
   * One live stream ended. Server-side: an error whose code is a 5xx one, or a close with 1011
   * (internal error) or 1013 (no capacity), except the client's own silence (IDLE_TIMEOUT, 1011 by
   * the contract). A client that hangs up, a policy close (1008) or a too-large frame (1009) is not.
   */
  recordStreamEnd({ closeCode, errorCode }: StreamEnd): void {
    const status = errorCode !== undefined && errorCode in ERROR_STATUS ? ERROR_STATUS[errorCode as ErrorCode] : undefined;
    const closedByFailure = (closeCode === CLOSE_CODES.internalError || closeCode === CLOSE_CODES.tryAgainLater) && errorCode !== 'IDLE_TIMEOUT';
    this.add(closedByFailure || (status !== undefined && status >= 500));
  }

  private add(serverError: boolean): void {
    const second = Math.floor(this.now() / 1000);
    const bucket = second % this.windowSeconds;
    if (this.bucketSecond[bucket] !== second) {
      this.bucketSecond[bucket] = second;
      this.requests[bucket] = 0;
      this.serverErrors[bucket] = 0;
    }
    this.requests[bucket]! += 1;
    if (serverError) this.serverErrors[bucket]! += 1;
  }

  /** The counts of the last `windowSeconds` seconds, this one included. */
  counts(): OutcomeCounts {
    const oldest = Math.floor(this.now() / 1000) - this.windowSeconds;
    let requests = 0;
    let serverErrors = 0;
    for (let bucket = 0; bucket < this.windowSeconds; bucket++) {
      if (this.bucketSecond[bucket]! <= oldest) continue;
      requests += this.requests[bucket]!;
      serverErrors += this.serverErrors[bucket]!;
    }
    return { requests, serverErrors };
  }
}
