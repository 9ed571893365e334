import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import type { LicenseRefusal } from '@stt/shared';

export type UsageBatchResult = 'accepted' | 'duplicate' | 'failed_injected' | 'ack_dropped';

/** The license server's `/metrics`: process metrics, validations by result, usage batches and events. */
export class LicenseServerMetrics {
  readonly registry = new Registry();
  private readonly validations: Counter<'result'>;
  private readonly usageBatches: Counter<'result'>;
  private readonly usageEvents: Counter;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.validations = new Counter({
      name: 'license_server_validations_total',
      help: 'License validations answered: result="valid", or the refusal code in lower case.',
      labelNames: ['result'],
      registers: [this.registry],
    });
    this.usageBatches = new Counter({
      name: 'license_server_usage_batches_total',
      help: 'Usage batches by result; ack_dropped is counted besides the accepted or duplicate it was.',
      labelNames: ['result'],
      registers: [this.registry],
    });
    this.usageEvents = new Counter({
      name: 'license_server_usage_events_total',
      help: 'Usage events counted (duplicate deliveries excluded).',
      registers: [this.registry],
    });
  }

  countValidation(result: 'valid' | LicenseRefusal): void {
    this.validations.inc({ result: result.toLowerCase() });
  }

  countUsageBatch(result: UsageBatchResult): void {
    this.usageBatches.inc({ result });
  }

  countUsageEvents(events: number): void {
    this.usageEvents.inc(events);
  }
}
