import type { Redis } from 'ioredis';
import { REASONS, type ComponentReport, type Probe } from '../component-report.js';

/** PINGs Redis; healthy with its round-trip time, unhealthy when it fails or hangs. */
export class RedisProbe implements Probe {
  readonly component = 'redis';

  constructor(private readonly redis: Redis) {}

  async run(): Promise<ComponentReport> {
    const startedAt = performance.now();
    try {
      await this.redis.ping();
      return { status: 'healthy', details: { latency_ms: Math.round((performance.now() - startedAt) * 100) / 100 } };
    } catch {
      return this.timedOut();
    }
  }

  timedOut(): ComponentReport {
    return { status: 'unhealthy', reason: REASONS.redisFailed, details: { latency_ms: null } };
  }
}
