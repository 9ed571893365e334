import { randomUUID } from 'node:crypto';
import type { Logger } from '@stt/shared';
import type { UsageBatchStore, PendingBatch } from './usage-batch-store.js';
import type { UsageSink } from './usage-sink.js';

/**
 * Reports the usage buffer a batch at a time: the batch in progress first (one a killed proxy
 * left), then new batches of the oldest events, until the buffer is empty or a delivery fails.
 */
export class UsageReporter {
  constructor(
    private readonly batches: UsageBatchStore,
    private readonly sink: UsageSink,
    private readonly maxEvents: number,
    private readonly logger: Logger,
  ) {}

  /** True when everything pending was delivered; false when a batch is left for the next try. */
  async reportPending(): Promise<boolean> {
    for (;;) {
      const batch = await this.batches.take(this.maxEvents, `batch_${randomUUID().replaceAll('-', '')}`);
      if (batch === undefined) return true;
      this.describe(batch);
      if (batch.events.length > 0 && !(await this.sink.deliver(batch))) return false;
      await this.batches.acknowledge(batch.batchId);
    }
  }

  /** The documented debug lines of a batch. */
  private describe(batch: PendingBatch): void {
    if (batch.discarded > 0) this.logger.warn({ batch_id: batch.batchId, discarded: batch.discarded }, 'Dropped usage entries that are not valid events');
    const seconds = batch.events.reduce((sum, event) => sum + event.audio_seconds, 0);
    const features = [...new Set(batch.events.flatMap((event) => event.features))].sort();
    this.logger.debug({ batch_id: batch.batchId }, `Reporting usage batch: ${batch.events.length} requests`);
    this.logger.debug(`Total duration: ${Math.round(seconds)}s`);
    this.logger.debug(`Features: [${features.join(', ')}]`);
  }
}
