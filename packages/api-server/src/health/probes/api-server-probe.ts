import type { ComponentReport, Probe } from '../component-report.js';
import type { RequestOutcomes } from '../request-outcomes.js';

export interface ApiServerProbeOptions {
  /** Fewer requests than this in the window are not judged: a few failures of a quiet server say little. */
  readonly minRequests: number;
  /** A share of server-side failures above this (0–1) makes the API server degraded. */
  readonly maxServerErrorRate: number;
}

/**
 * The API server's own health as its users see it: degraded while too many recent transcription
 * requests failed server-side (5xx, a stream closed 1011/1013), although every other component
 * reports healthy; the seed's "health returns 200 but requests fail". Reads memory only.
 */
export class ApiServerProbe implements Probe {
  readonly component = 'api_server';

  constructor(
    private readonly outcomes: RequestOutcomes,
    private readonly options: ApiServerProbeOptions,
  ) {}

  async run(): Promise<ComponentReport> {
    return this.report();
  }

  /** Counting in memory cannot hang; a timed-out round reports the same numbers. */
  timedOut(): ComponentReport {
    return this.report();
  }

  private report(): ComponentReport {
    const { requests, serverErrors } = this.outcomes.counts();
    const rate = requests === 0 ? 0 : serverErrors / requests;
    const details = {
      window_s: this.outcomes.windowSeconds,
      requests,
      server_errors: serverErrors,
      server_error_rate: Math.round(rate * 1000) / 1000,
    };
    const degraded = requests >= this.options.minRequests && rate > this.options.maxServerErrorRate;
    return { status: degraded ? 'degraded' : 'healthy', details };
  }
}
