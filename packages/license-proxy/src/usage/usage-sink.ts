import type { Logger } from '@stt/shared';
import type { ProxyMetrics } from '../metrics.js';
import type { LicenseServerClient } from '../upstream/license-server-client.js';
import type { PendingBatch } from './usage-batch-store.js';

/** Where usage batches go. `deliver` resolves true once the batch may be deleted. */
export interface UsageSink {
  deliver(batch: PendingBatch): Promise<boolean>;
}

/** The license server: a batch may be deleted only once it has acknowledged it. */
export class LicenseServerUsageSink implements UsageSink {
  constructor(
    private readonly client: LicenseServerClient,
    private readonly metrics: ProxyMetrics,
    private readonly logger: Logger,
  ) {}

  async deliver(batch: PendingBatch): Promise<boolean> {
    const outcome = await this.client.reportUsage({ batch_id: batch.batchId, events: [...batch.events] });
    if (outcome.kind === 'failed') {
      this.metrics.usageReportFailures.inc();
      this.logger.warn({ batch_id: batch.batchId, detail: outcome.detail }, 'Usage report failed; will retry');
      return false;
    }
    this.metrics.usageEventsReported.inc(batch.events.length);
    this.logger.info({ batch_id: batch.batchId, events: batch.events.length, duplicate: outcome.ack.duplicate }, 'Usage reported successfully');
    return true;
  }
}

/** No license server (offline): usage has nowhere to go, so batches are only logged and dropped. */
export class OfflineUsageSink implements UsageSink {
  constructor(private readonly logger: Logger) {}

  deliver(batch: PendingBatch): Promise<boolean> {
    this.logger.debug({ batch_id: batch.batchId, events: batch.events.length }, 'No license server configured: usage batch not reported');
    return Promise.resolve(true);
  }
}
