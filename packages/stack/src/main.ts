#!/usr/bin/env node
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ConfigError, createLogger, EXIT_CONFIG, onShutdownSignal, runMain, type Logger } from '@stt/shared';
import { ensureLocalLicense } from './local-license.js';
import { REPO_ROOT, serviceEntry } from './paths.js';
import { assertPortsFree } from './port-check.js';
import { RedisServerProcess } from './redis-server-process.js';
import { loadStackConfig } from './stack-config.js';
import { SupervisedProcess } from './supervised-process.js';

/**
 * The whole stack in the foreground with embedded defaults: a local redis-server unless REDIS_URL
 * (or REDIS_HOST) is set, a local license unless LICENSE_KEY is set, one license proxy, N ASR
 * workers and the API server. Ctrl-C stops them in order: API server, workers, proxy, Redis;
 * a second Ctrl-C kills them at once. Should this process die, they stop on their own.
 */
runMain('stack', async () => {
  const config = loadStackConfig();
  const logger = createLogger('stack', config.LOG_LEVEL);
  const dataDir = resolve(REPO_ROOT, config.STACK_DATA_DIR);
  if (config.LICENSE_KEY !== undefined && config.LICENSE_PUBLIC_KEYS === undefined) {
    throw new ConfigError('LICENSE_PUBLIC_KEYS', 'is required when LICENSE_KEY is set (the key that signed it)');
  }
  const external = config.REDIS_URL !== undefined || config.REDIS_HOST !== undefined;
  await assertPortsFree([
    ...(external ? [] : [{ variable: 'REDIS_PORT', port: config.REDIS_PORT }]),
    { variable: 'LICENSE_PROXY_PORT', port: config.LICENSE_PROXY_PORT },
    ...Array.from({ length: config.ASR_WORKERS }, (_, i) => ({
      variable: 'ASR_PORT',
      port: config.ASR_PORT + i,
      ...(i > 0 ? { detail: ` (worker ${i + 1}, ASR_PORT+${i})` } : {}),
    })),
    { variable: 'API_SERVER_PORT', port: config.API_SERVER_PORT },
  ]);

  let licenseKey = config.LICENSE_KEY;
  let publicKeys = config.LICENSE_PUBLIC_KEYS;
  if (licenseKey === undefined) {
    const local = ensureLocalLicense(dataDir);
    licenseKey = local.licenseKey;
    publicKeys = local.publicKey;
    logger.info({ file: join(dataDir, 'license.key') }, local.issued ? 'Issued a local license' : 'Using the local license');
    process.stdout.write(`\nLicense key (also in ${join(dataDir, 'license.key')}):\n${licenseKey}\n\n`);
  }

  const redis = external ? undefined : new RedisServerProcess({ port: config.REDIS_PORT, dir: join(dataDir, 'redis'), appendOnly: true });
  if (redis) {
    await redis.start();
    logger.info({ redis_pid: redis.pid }, `Embedded Redis ready on port ${config.REDIS_PORT}`);
  }

  const common: NodeJS.ProcessEnv = {
    ...process.env,
    ...(redis ? { REDIS_URL: redis.url } : {}),
    LICENSE_PUBLIC_KEYS: publicKeys,
    LOG_LEVEL: config.LOG_LEVEL,
  };
  // In start order: the proxy, the workers, the API server.
  const stages: SupervisedProcess[][] = [];
  let stopping: Promise<number> | undefined;
  const stopAll = (code: number): Promise<number> => {
    stopping ??= (async () => {
      logger.info('Stopping the stack');
      // Last started, first stopped; the workers stop together.
      for (const stage of [...stages].reverse()) {
        await Promise.all(stage.map((service) => service.stop(config.STACK_STOP_TIMEOUT_S * 1000)));
      }
      if (redis) {
        await redis.stop();
        logger.info('Embedded Redis stopped');
      }
      logger.info('Stack stopped');
      return code;
    })();
    return stopping;
  };
  const supervise = (name: string, entry: string, env: NodeJS.ProcessEnv): SupervisedProcess => {
    const service = new SupervisedProcess({
      name,
      entry,
      env: { ...common, ...env },
      logger,
      onFatal: (failed) => {
        logger.error(`${failed} cannot start with this configuration; stopping the stack`);
        void stopAll(EXIT_CONFIG).then((code) => process.exit(code));
      },
    });
    service.start();
    return service;
  };
  onShutdownSignal(() => stopAll(0), {
    onForcedExit: () => {
      logger.warn('Second signal: killing every service now');
      for (const service of stages.flat()) service.kill();
      // SIGTERM, not SIGKILL: Redis exits within milliseconds and leaves its append-only file whole.
      void redis?.stop();
    },
  });

  const proxyUrl = `http://127.0.0.1:${config.LICENSE_PROXY_PORT}`;
  stages.push([
    supervise('license-proxy', serviceEntry('license-proxy'), {
      PORT: String(config.LICENSE_PROXY_PORT),
      HOST: '127.0.0.1',
      LICENSE_KEY: licenseKey,
    }),
  ]);
  stages.push(
    Array.from({ length: config.ASR_WORKERS }, (_, i) => {
      const port = config.ASR_PORT + i;
      return supervise(`lightning-asr-${i + 1}`, serviceEntry('lightning-asr'), {
        ASR_PORT: String(port),
        ASR_HOST: '127.0.0.1',
        ASR_ADVERTISE_URL: `http://127.0.0.1:${port}`,
        ASR_WORKER_ID: `local-${port}`,
      });
    }),
  );
  stages.push([
    supervise('api-server', serviceEntry('api-server'), {
      API_SERVER_PORT: String(config.API_SERVER_PORT),
      API_BASE_URL: proxyUrl,
    }),
  ]);
  if (redis) void keepRedisRunning(redis, () => stopping !== undefined, logger);
});

/** Restarts the embedded Redis when it dies; the services reconnect to it on their own. */
async function keepRedisRunning(redis: RedisServerProcess, stopping: () => boolean, logger: Logger): Promise<void> {
  for (;;) {
    const code = await redis.exited();
    if (stopping()) return;
    logger.warn({ code }, 'Embedded Redis exited; restarting in 1000 ms');
    await delay(1000);
    if (stopping()) return;
    try {
      await redis.start();
      logger.info({ redis_pid: redis.pid }, 'Embedded Redis restarted');
    } catch (error) {
      logger.error({ err: error }, 'Embedded Redis could not restart; retrying');
    }
  }
}
