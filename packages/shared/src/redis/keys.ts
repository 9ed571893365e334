/**
 * Every Redis key the stack uses, in one place. A prefix lets several stacks share one Redis.
 */
export class RedisKeys {
  constructor(readonly prefix = 'stt') {}

  /** Set of ids of workers that have registered (entries may be stale; the worker key decides). */
  get workerIndex(): string {
    return `${this.prefix}:asr:workers`;
  }

  /** JSON WorkerInfo of one worker, with a TTL refreshed by its heartbeat. */
  worker(id: string): string {
    return `${this.prefix}:asr:worker:${id}`;
  }
}
