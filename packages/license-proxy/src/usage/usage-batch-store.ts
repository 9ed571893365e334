import type { Redis } from 'ioredis';
import { parseJsonAs, usageEventSchema, type RedisKeys, type UsageEvent } from '@stt/shared';

/** A batch taken for reporting: its id is the idempotency key, the same on every retry. */
export interface PendingBatch {
  readonly batchId: string;
  readonly events: readonly UsageEvent[];
  /** Entries that were not valid usage events; they leave with the batch, unreported. */
  readonly discarded: number;
}

/**
 * Returns the batch in progress, or makes one of the oldest events: one atomic step, so replicas
 * racing each other all get the same batch (and the license server counts it once).
 */
const TAKE_BATCH = `
local existing = redis.call('GET', KEYS[2])
if existing then return existing end
local entries = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', tonumber(ARGV[1]))
if #entries == 0 then return false end
local ids, events = {}, {}
for i, entry in ipairs(entries) do
  ids[i] = entry[1]
  events[i] = entry[2][2]
end
local batch = cjson.encode({ batch_id = ARGV[2], entry_ids = ids, events = events })
redis.call('SET', KEYS[2], batch)
return batch
`;

/** Deletes an acknowledged batch and its events together, if it is still the batch in progress. */
const ACK_BATCH = `
local existing = redis.call('GET', KEYS[2])
if not existing then return 0 end
local batch = cjson.decode(existing)
if batch.batch_id ~= ARGV[1] then return 0 end
redis.call('XDEL', KEYS[1], unpack(batch.entry_ids))
redis.call('DEL', KEYS[2])
return #batch.entry_ids
`;

interface StoredBatch {
  readonly batch_id: string;
  readonly events: readonly string[];
}

/**
 * The usage buffer in Redis: API servers append events to a stream as requests finish; the proxy
 * takes them in batches, and removes a batch's events only once the license server has
 * acknowledged it. A proxy killed at any moment resumes with the same batch and batch id.
 */
export class UsageBatchStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** The batch to report next (at most `maxEvents`), or undefined when nothing is pending. */
  async take(maxEvents: number, newBatchId: string): Promise<PendingBatch | undefined> {
    const raw = await this.redis.eval(TAKE_BATCH, 2, this.keys.usageEvents, this.keys.usageBatch, maxEvents, newBatchId);
    if (typeof raw !== 'string') return undefined;
    const stored = JSON.parse(raw) as StoredBatch;
    const events: UsageEvent[] = [];
    for (const json of stored.events) {
      const event = parseJsonAs(usageEventSchema, json);
      if (event !== undefined) events.push(event);
    }
    return { batchId: stored.batch_id, events, discarded: stored.events.length - events.length };
  }

  /** Removes the batch and its events; a no-op when another replica already did. */
  async acknowledge(batchId: string): Promise<void> {
    await this.redis.eval(ACK_BATCH, 2, this.keys.usageEvents, this.keys.usageBatch, batchId);
  }

  /** Events recorded and not yet acknowledged (those of the batch in progress included). */
  pending(): Promise<number> {
    return this.redis.xlen(this.keys.usageEvents);
  }
}
