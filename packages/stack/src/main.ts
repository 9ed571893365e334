#!/usr/bin/env node
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ConfigError, createLogger, EXIT_CONFIG, onShutdownSignal, runMain, type Logger } from '@stt/shared';
import { ensureLocalLicense } from './local-license.js';
import { REPO_ROOT, serviceEntry } from './paths.js';
import { RedisServerProcess } from './redis-server-process.js';
import { loadStackConfig } from './stack-config.js';
import { SupervisedProcess } from './supervised-process.js';

/**
 * The whole stack in the foreground with embedded defaults: a local redis-server unless REDIS_URL
 * (or REDIS_HOST) is set, a local license unless LICENSE_KEY is set, one license proxy, N ASR
 * workers and the API server. Ctrl-C stops them in order: API server, workers, proxy, Redis.
 */
runMain('stack', async () => {
  const config = loadStackConfig();
  const logger = createLogger('stack', config.LOG_LEVEL);
  const dataDir = resolve(REPO_ROOT, config.STACK_DATA_DIR);

  let licenseKey = config.LICENSE_KEY;
  let publicKeys = config.LICENSE_PUBLIC_KEYS;
  if (licenseKey === undefined) {
    const local = ensureLocalLicense(dataDir);
    licenseKey = local.licenseKey;
    publicKeys = local.publicKey;
    logger.info({ file: join(dataDir, 'license.key') }, local.issued ? 'Issued a local license' : 'Using the local license');
    process.stdout.write(`\nLicense key (also in ${join(dataDir, 'license.key')}):\n${licenseKey}\n\n`);
  } else if (publicKeys === undefined) {
    throw new ConfigError('LICENSE_PUBLIC_KEYS', 'is required when LICENSE_KEY is set (the key that signed it)');
  }

  const external = config.REDIS_URL !== undefined || config.REDIS_HOST !== undefined;
  const redis = external ? undefined : new RedisServerProcess({ port: config.REDIS_PORT, dir: join(dataDir, 'redis') });
  if (redis) {
    await redis.start();
    logger.info(`Embedded Redis ready on port ${config.REDIS_PORT}`);
  }

  const common: NodeJS.ProcessEnv = {
    ...process.env,
    ...(redis ? { REDIS_URL: redis.url } : {}),
    LICENSE_PUBLIC_KEYS: publicKeys,
    LOG_LEVEL: config.LOG_LEVEL,
  };
  const services: SupervisedProcess[] = [];
  let stopping: Promise<number> | undefined;
  const stopAll = (code: number): Promise<number> => {
    stopping ??= (async () => {
      logger.info('Stopping the stack');
      for (const service of [...services].reverse()) await service.stop(config.STACK_STOP_TIMEOUT_S * 1000);
      await redis?.stop();
      logger.info('Stack stopped');
      return code;
    })();
    return stopping;
  };
  const supervise = (name: string, entry: string, env: NodeJS.ProcessEnv): void => {
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
    services.push(service);
    service.start();
  };
  onShutdownSignal(() => stopAll(0));

  const proxyUrl = `http://127.0.0.1:${config.LICENSE_PROXY_PORT}`;
  supervise('license-proxy', serviceEntry('license-proxy'), {
    PORT: String(config.LICENSE_PROXY_PORT),
    HOST: '127.0.0.1',
    LICENSE_KEY: licenseKey,
  });
  for (let i = 0; i < config.ASR_WORKERS; i++) {
    const port = config.ASR_PORT + i;
    supervise(`lightning-asr-${i + 1}`, serviceEntry('lightning-asr'), {
      ASR_PORT: String(port),
      ASR_HOST: '127.0.0.1',
      ASR_ADVERTISE_URL: `http://127.0.0.1:${port}`,
      ASR_WORKER_ID: `local-${port}`,
    });
  }
  supervise('api-server', serviceEntry('api-server'), {
    API_SERVER_PORT: String(config.API_SERVER_PORT),
    API_BASE_URL: proxyUrl,
  });
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
      logger.info('Embedded Redis restarted');
    } catch (error) {
      logger.error({ err: error }, 'Embedded Redis could not restart; retrying');
    }
  }
}
