import type { Redis } from 'ioredis';
import type { UsageEvent } from '../protocol/usage-event.js';
import type { RedisKeys } from './keys.js';

/**
 * Appends a usage event to the Redis stream the license proxy reports from. One field, `event`,
 * holding the JSON: the proxy's batching script reads exactly that.
 */
export async function appendUsageEvent(redis: Redis, keys: RedisKeys, event: UsageEvent): Promise<void> {
  await redis.xadd(keys.usageEvents, '*', 'event', JSON.stringify(event));
}
