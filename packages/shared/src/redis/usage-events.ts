import type { Redis } from 'ioredis';
import type { UsageEvent } from '../protocol/usage-event.js';
import type { RedisKeys } from './keys.js';

/** The one field of a usage stream entry, holding the event's JSON: the proxy's batching script reads exactly that. */
export const USAGE_EVENT_FIELD = 'event';

/** Appends a usage event to the Redis stream the license proxy reports from. */
export async function appendUsageEvent(redis: Redis, keys: RedisKeys, event: UsageEvent): Promise<void> {
  await redis.xadd(keys.usageEvents, '*', USAGE_EVENT_FIELD, JSON.stringify(event));
}
