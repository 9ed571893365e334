import { createRedis, listenOn, redisReady, RedisKeys, type Logger } from '@stt/shared';
import type { LicenseProxyConfig } from './config.js';
import { LicenseState } from './license/license-state.js';
import { LicenseValidator } from './license/license-validator.js';
import { ValidationStore } from './license/validation-store.js';
import { ProxyMetrics } from './metrics.js';
import { PeriodicTask } from './scheduling/periodic-task.js';
import { buildServer } from './server.js';
import { LicenseServerClient, type ValidationOutcome } from './upstream/license-server-client.js';
import { UsageBatchStore } from './usage/usage-batch-store.js';
import { UsageReporter } from './usage/usage-reporter.js';
import { LicenseServerUsageSink, OfflineUsageSink, type UsageSink } from './usage/usage-sink.js';

/** First retry after a failed validation or usage report; doubles up to the task's interval. */
const INITIAL_RETRY_MS = 5000;

export interface LicenseProxyOptions {
  readonly logger: Logger;
  /** The license's notion of now (tests drive a grace period through it). */
  readonly clock?: () => Date;
}

/** A listening proxy, with a handle to validate at once (tests drive a clock through it). */
export interface RunningLicenseProxy {
  /** One validation with the license server now (undefined when there is none). */
  validateNow(): Promise<ValidationOutcome['kind'] | undefined>;
  close(): Promise<void>;
}

/**
 * Starts the proxy: restores the cached validation, validates with the license server (when
 * one is configured), listens, then revalidates and reports usage periodically.
 */
export async function startLicenseProxy(config: LicenseProxyConfig, options: LicenseProxyOptions): Promise<RunningLicenseProxy> {
  const { logger } = options;
  const redis = createRedis(config.REDIS_URL, logger);
  const keys = new RedisKeys(config.REDIS_KEY_PREFIX);
  const client =
    config.LICENSE_SERVER_URL === undefined
      ? undefined
      : new LicenseServerClient(config.LICENSE_SERVER_URL, config.LICENSE_KEY, config.LICENSE_SERVER_TIMEOUT_S * 1000);
  const state = new LicenseState(config.LICENSE_KEY, config.LICENSE_PUBLIC_KEYS, {
    upstream: client !== undefined,
    graceMs: config.LICENSE_GRACE_HOURS * 3_600_000,
    ...(options.clock !== undefined ? { clock: options.clock } : {}),
  });
  logger.info('License key loaded');
  const batches = new UsageBatchStore(redis, keys);
  const metrics = new ProxyMetrics(state, () => batches.pending());
  await redisReady(redis, 1000);

  const check = state.check();
  if (!check.ok) {
    // Keep serving: the API server then reports "License invalid or expired" instead of a dead proxy.
    logger.error(`License validation failed: ${state.health().reason ?? check.reason}`);
    logger.fatal('Service will stop accepting requests');
  }
  let validateNow: RunningLicenseProxy['validateNow'] = () => Promise.resolve(undefined);
  let validation: { readonly task: PeriodicTask; readonly firstDelayMs: number } | undefined;
  let sink: UsageSink;
  if (client === undefined) {
    if (check.ok) {
      logger.info({ customer: check.claims.customer }, 'License validated successfully');
      logger.info(`License valid until: ${check.claims.expires_at}`);
    }
    logger.info('No license server configured: validating offline, on the key signature alone');
    sink = new OfflineUsageSink(logger);
  } else {
    const validator = new LicenseValidator(state, client, new ValidationStore(redis, keys, config.LICENSE_KEY), metrics, logger);
    validateNow = () => validator.validate();
    await validator.restore();
    logger.info(`Connecting to ${new URL(client.baseUrl).host}`);
    const startup = check.ok ? await validator.validate() : undefined;
    logger.info(`Grace period: ${config.LICENSE_GRACE_HOURS} hours`);
    const timings = retryTimings(config.LICENSE_VALIDATION_INTERVAL_S);
    validation = {
      task: new PeriodicTask(
        async () => (await validator.validate()) !== 'unreachable',
        { name: 'License validation', ...timings, wakeWithinMs: () => validator.untilNextMilestoneMs() },
        logger,
      ),
      // Validated just now: next time in an interval, or soon when the license server did not answer.
      firstDelayMs: startup === 'unreachable' ? timings.initialRetryMs : timings.intervalMs,
    };
    sink = new LicenseServerUsageSink(client, metrics, logger);
  }
  const reporter = new UsageReporter(batches, sink, config.USAGE_BATCH_MAX, logger);
  const usage = new PeriodicTask(() => reporter.reportPending(), { name: 'Usage reporting', ...retryTimings(config.USAGE_REPORT_INTERVAL_S) }, logger);

  const app = buildServer(state, metrics.registry, logger);
  await listenOn(app, { variable: 'PORT', port: config.PORT, host: config.HOST });
  logger.info(`Server listening on port ${config.PORT}`);
  validation?.task.start(validation.firstDelayMs);
  // A usage batch a previous run left behind goes out at once.
  usage.start(0);
  return {
    validateNow,
    async close() {
      await Promise.all([validation?.task.stop(), usage.stop()]);
      await app.close();
      redis.disconnect();
    },
  };
}

function retryTimings(intervalS: number): { intervalMs: number; initialRetryMs: number } {
  return { intervalMs: intervalS * 1000, initialRetryMs: Math.min(INITIAL_RETRY_MS, intervalS * 1000) };
}
