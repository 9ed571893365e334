import type { Redis } from 'ioredis';
import { appendUsageEvent, type Logger, type RedisKeys, type UsageEvent } from '@stt/shared';

/**
 * Records finished requests' usage in Redis, where the license proxy batches it for the license
 * server. Persisted before the client is answered, so a crash after answering loses no event.
 */
export class UsageRecorder {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly logger: Logger,
  ) {}

  /** Never rejects: a request is not failed for its bookkeeping (the miss is logged instead). */
  async record(event: UsageEvent): Promise<void> {
    try {
      await appendUsageEvent(this.redis, this.keys, event);
    } catch (error) {
      this.logger.error({ err: error, request_id: event.request_id, usage: event }, 'Could not record usage event');
    }
  }
}
