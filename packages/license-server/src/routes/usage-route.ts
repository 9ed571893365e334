import type { KeyObject } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ApiError, bearerCredential, checkLicenseKey, usageBatchSchema } from '@stt/shared';
import type { FaultInjector } from '../faults.js';
import { parseInput } from '../http/parse-input.js';
import type { LicenseServerMetrics } from '../metrics.js';
import type { LicenseLedger } from '../store/license-ledger.js';

export interface UsageRouteDependencies {
  readonly trustedKeys: readonly KeyObject[];
  readonly ledger: LicenseLedger;
  readonly faults: FaultInjector;
  readonly metrics: LicenseServerMetrics;
}

/**
 * `POST /v1/usage`: counts a batch of usage events once, whatever the number of deliveries
 * (`Idempotency-Key` = `batch_id`), and answers only once the count is on disk.
 */
export function registerUsageRoute(app: FastifyInstance, { trustedKeys, ledger, faults, metrics }: UsageRouteDependencies): void {
  app.post('/v1/usage', async (request, reply) => {
    const key = bearerCredential(request.headers.authorization);
    // Signed by us is enough: usage of a license revoked or expired since still happened, and is billed.
    if (key === undefined || checkLicenseKey(key, trustedKeys).claims === undefined) {
      throw new ApiError('INVALID_LICENSE', 'Invalid license key.');
    }
    const batch = parseInput(usageBatchSchema, request.body, 'body');
    const idempotencyKey = request.headers['idempotency-key'];
    if (idempotencyKey !== batch.batch_id) {
      throw new ApiError('INVALID_PARAMETER', 'The Idempotency-Key header must be sent and equal batch_id.', { parameter: 'Idempotency-Key' });
    }
    if (faults.failUsageCall()) {
      metrics.countUsageBatch('failed_injected');
      throw new ApiError('SERVICE_UNAVAILABLE', 'Usage not counted (injected fault); retry later.');
    }

    const ack = await ledger.countBatch(batch, new Date());
    if (ack.duplicate) {
      metrics.countUsageBatch('duplicate');
      request.log.info({ batch_id: ack.batch_id }, 'Duplicate usage batch');
    } else {
      metrics.countUsageBatch('accepted');
      metrics.countUsageEvents(ack.accepted);
      request.log.info({ batch_id: ack.batch_id, events: ack.accepted }, 'Usage batch counted');
    }

    if (faults.loseUsageAck()) {
      metrics.countUsageBatch('ack_dropped');
      request.log.info({ batch_id: ack.batch_id }, 'Usage acknowledgement dropped (injected fault)');
      // Counted and persisted, yet the caller hears nothing: as if the answer were lost on the way.
      reply.hijack();
      request.raw.socket.destroy();
      return reply;
    }
    return ack;
  });
}
