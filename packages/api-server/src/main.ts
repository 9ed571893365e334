#!/usr/bin/env node
import { setTimeout as delay } from 'node:timers/promises';
import { closeWithin, createLogger, createRedis, listenOn, onShutdownSignal, redisReady, RedisKeys, runMain, VERSION } from '@stt/shared';
import { buildApp } from './app.js';
import { WorkerRegistry } from './asr/worker-registry.js';
import { loadConfig } from './config.js';
import { registerBatchQueueGauge } from './health/batch-queue-gauge.js';
import { logHealthChanges } from './health/health-log.js';
import { REASONS } from './health/component-report.js';
import { HealthMonitor } from './health/health-monitor.js';
import { ApiServerProbe } from './health/probes/api-server-probe.js';
import { AsrProbe } from './health/probes/asr-probe.js';
import { LicenseProbe } from './health/probes/license-probe.js';
import { RedisProbe } from './health/probes/redis-probe.js';
import { licenseUnavailable } from './errors/refusals.js';
import { RequestOutcomes } from './health/request-outcomes.js';
import { ConnectionCap } from './http/connection-cap.js';
import { Drain } from './http/drain.js';
import { SlowBodyGuard } from './http/slow-body-guard.js';
import { ApiMetrics } from './metrics.js';
import { routeOptions } from './route-wiring.js';
import { TranscriptionQueue } from './transcription/transcription-queue.js';
import { ModelCatalog } from './asr/model-catalog.js';

runMain('api-server', async () => {
  const config = loadConfig();
  const startedAt = Date.now();
  const logger = createLogger('api-server', config.LOG_LEVEL);
  logger.info(`Starting API Server v${VERSION}`);

  const redis = createRedis(config.REDIS_URL, logger);
  const keys = new RedisKeys(config.REDIS_KEY_PREFIX);
  const workers = new WorkerRegistry(redis, keys);
  logger.info('Connecting to Lightning ASR through the Redis worker registry');
  logger.info(`Connecting to License Proxy at ${config.API_BASE_URL}`);
  const queue = new TranscriptionQueue(redis, keys, { redisUrl: config.REDIS_URL, audioTtlSeconds: config.CALLBACK_JOB_TIMEOUT_S + 600 });
  const outcomes = new RequestOutcomes(config.HEALTH_ERROR_WINDOW_S);
  const catalog = new ModelCatalog();
  const monitor = new HealthMonitor(
    [
      new ApiServerProbe(outcomes, { minRequests: config.HEALTH_ERROR_MIN_REQUESTS, maxServerErrorRate: config.HEALTH_ERROR_RATE_PERCENT / 100 }),
      new AsrProbe(workers, catalog, () => queue.waiting()),
      new LicenseProbe(config.API_BASE_URL),
      new RedisProbe(redis),
    ],
    { intervalMs: config.HEALTH_PROBE_INTERVAL_MS, timeoutMs: config.HEALTH_PROBE_TIMEOUT_MS },
    logger,
  );
  logHealthChanges(monitor, logger);
  // One bounded round before listening, so the first health answer is already a real one
  // (and not "Redis connection failed" only because the connection was still being made).
  await redisReady(redis, config.HEALTH_PROBE_TIMEOUT_MS);
  await monitor.start();

  const drain = new Drain();
  const metrics = new ApiMetrics();
  registerBatchQueueGauge(metrics.registry, monitor);
  const routes = routeOptions({ config, queue, catalog, monitor, outcomes, redis, keys, logger, streamLatency: metrics.streamLatency });
  // Work stops when the license does (its grace period over, say): live streams too, not only new requests.
  monitor.onChange((component, report) => {
    if (component === 'license_proxy' && report.reason === REASONS.licenseInvalid) {
      routes.stream.sessions.refuseAll(licenseUnavailable());
    }
  });
  const { app } = buildApp({
    logger,
    monitor,
    trustedKeys: config.LICENSE_PUBLIC_KEYS,
    metrics,
    drain,
    connections: new ConnectionCap(config.MAX_CONNECTIONS),
    slowBodies: new SlowBodyGuard({ windowMs: config.BODY_RATE_WINDOW_S * 1000, minBytesPerSecond: config.BODY_MIN_BYTES_PER_S }),
    startedAt,
    ...routes,
  });
  onShutdownSignal(async () => {
    // Health fails first while work is still served, so load balancers stop routing here
    // before anything is refused; only then does the drain begin.
    monitor.startDraining();
    if (config.DRAIN_DELAY_S > 0) {
      logger.info(`Shutting down: health answers 503 for ${config.DRAIN_DELAY_S} s while work is still served`);
      await delay(config.DRAIN_DELAY_S * 1000);
    }
    logger.info('Draining: refusing new work, finishing requests in flight');
    const { unfinished } = await drain.drain(config.DRAIN_TIMEOUT_S * 1000, () => routes.stream.sessions.size);
    if (unfinished > 0) logger.warn({ unfinished }, 'Drain timeout reached; closing with requests in flight');
    await routes.stream.sessions.shutdown();
    await routes.callbackJobs.close();
    monitor.stop();
    await app.close();
    await routes.diarizer.close();
    await closeWithin('The job queue', queue.close(), logger);
    redis.disconnect();
    logger.info('API server stopped');
    return 0;
  });
  await listenOn(app, { variable: 'API_SERVER_PORT', port: config.API_SERVER_PORT, host: config.API_SERVER_HOST });
  routes.callbackJobs.start();
  logger.info(`API server listening on port ${config.API_SERVER_PORT}`);
});
