import type { Redis } from 'ioredis';
import type { Logger, RedisKeys, WorkerInfo } from '@stt/shared';

export interface HeartbeatOptions {
  readonly intervalMs: number;
  /** How long an entry outlives its last heartbeat; a hung or killed worker vanishes after this. */
  readonly ttlMs: number;
}

/**
 * Keeps this worker's entry in the Redis registry alive: the entry (JSON WorkerInfo) expires
 * `ttlMs` after the last heartbeat, and its id sits in the index set for discovery.
 */
export class WorkerRegistration {
  private timer: NodeJS.Timeout | undefined;
  private healthy = true;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly snapshot: () => WorkerInfo,
    private readonly options: HeartbeatOptions,
    private readonly logger: Logger,
  ) {}

  start(): void {
    void this.beat();
    this.timer = setInterval(() => void this.beat(), this.options.intervalMs);
  }

  /** Sends one heartbeat now (used when the status changes, so readers learn of it at once). */
  async beat(): Promise<void> {
    const info = this.snapshot();
    try {
      await this.redis
        .multi()
        .set(this.keys.worker(info.id), JSON.stringify(info), 'PX', this.options.ttlMs)
        .sadd(this.keys.workerIndex, info.id)
        .exec();
      if (!this.healthy) this.logger.info('Redis heartbeat restored');
      this.healthy = true;
    } catch (error) {
      if (this.healthy) this.logger.warn({ err: error }, 'Redis heartbeat failed');
      this.healthy = false;
    }
  }

  async deregister(id: string): Promise<void> {
    clearInterval(this.timer);
    try {
      await this.redis.multi().del(this.keys.worker(id)).srem(this.keys.workerIndex, id).exec();
      this.logger.info('Deregistered from Redis');
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not deregister from Redis; the entry expires on its own');
    }
  }
}
