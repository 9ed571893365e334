import type { Redis } from 'ioredis';
import { parseJsonAs, workerInfoSchema, type RedisKeys, type WorkerInfo } from '@stt/shared';

/**
 * Reads the ASR workers' registry in Redis. An id whose entry has expired (its worker stopped
 * heartbeating) is pruned from the index as it is found.
 */
export class WorkerRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Workers with a fresh heartbeat, whatever their status. Throws when Redis cannot be read. */
  async live(): Promise<WorkerInfo[]> {
    const ids = await this.redis.smembers(this.keys.workerIndex);
    if (ids.length === 0) return [];
    const entries = await this.redis.mget(ids.map((id) => this.keys.worker(id)));
    const workers: WorkerInfo[] = [];
    const stale: string[] = [];
    entries.forEach((entry, index) => {
      const worker = entry === null ? undefined : parseJsonAs(workerInfoSchema, entry);
      if (worker !== undefined) workers.push(worker);
      else stale.push(ids[index] ?? '');
    });
    if (stale.length > 0) await this.redis.srem(this.keys.workerIndex, ...stale);
    return workers;
  }
}
