import {
  ApiMetrics,
  buildApp,
  ConnectionCap,
  Drain,
  HealthMonitor,
  loadConfig,
  ModelCatalog,
  RequestOutcomes,
  routeOptions,
  SlowBodyGuard,
  TranscriptionQueue,
  type RouteEntry,
} from '@stt/api-server';
import { createLogger, createRedis, RedisKeys } from '@stt/shared';
import type { TestStack } from './test-stack.js';

/** The API server's real route table, read from the same application the server runs. */
export async function routeTable(stack: TestStack): Promise<RouteEntry[]> {
  const logger = createLogger('route-table', 'silent');
  const config = loadConfig({ ...stack.commonEnv });
  const redis = createRedis(config.REDIS_URL, logger);
  const keys = new RedisKeys(config.REDIS_KEY_PREFIX);
  const queue = new TranscriptionQueue(redis, keys, { redisUrl: config.REDIS_URL, audioTtlSeconds: 60 });
  const monitor = new HealthMonitor([], { intervalMs: 1000, timeoutMs: 1000 }, logger);
  const metrics = new ApiMetrics();
  const { app, routes } = buildApp({
    logger,
    monitor,
    trustedKeys: config.LICENSE_PUBLIC_KEYS,
    metrics,
    drain: new Drain(),
    connections: new ConnectionCap(config.MAX_CONNECTIONS),
    slowBodies: new SlowBodyGuard({ windowMs: config.BODY_RATE_WINDOW_S * 1000, minBytesPerSecond: config.BODY_MIN_BYTES_PER_S }),
    startedAt: Date.now(),
    ...routeOptions({ config, queue, catalog: new ModelCatalog(), monitor, outcomes: new RequestOutcomes(config.HEALTH_ERROR_WINDOW_S), redis, keys, logger, streamLatency: metrics.streamLatency }),
  });
  await app.ready();
  await app.close();
  await queue.close();
  redis.disconnect();
  return routes;
}
