import { z } from 'zod';

const rate = z.number().min(0).max(1).default(0);

/** `PUT /v1/admin/faults`: what is left out is 0, so `{}` turns every fault off. */
export const faultsSchema = z.object({
  /** Share of usage calls answered 503 without counting. */
  usage_error_rate: rate,
  /** Share of usage calls counted and persisted, then cut off without an answer (a lost acknowledgement). */
  usage_ack_loss_rate: rate,
});

export type Faults = z.output<typeof faultsSchema>;

/**
 * Faults injected into `POST /v1/usage` so tests can exercise the proxy's retries. In memory
 * only: a restarted server is a healthy one.
 */
export class FaultInjector {
  private faults: Faults = faultsSchema.parse({});

  get current(): Faults {
    return this.faults;
  }

  set(faults: Faults): void {
    this.faults = faults;
  }

  failUsageCall(): boolean {
    return Math.random() < this.faults.usage_error_rate;
  }

  loseUsageAck(): boolean {
    return Math.random() < this.faults.usage_ack_loss_rate;
  }
}
