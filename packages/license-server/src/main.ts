#!/usr/bin/env node
import { createLogger, onShutdownSignal, runMain, VERSION } from '@stt/shared';
import { loadConfig } from './config.js';
import { FaultInjector } from './faults.js';
import { LicenseServerMetrics } from './metrics.js';
import { buildServer } from './server.js';
import { LicenseLedger } from './store/license-ledger.js';
import { loadStateFile, saveStateFile } from './store/state-file.js';

runMain('license-server', async () => {
  const config = loadConfig();
  const logger = createLogger('license-server', config.LOG_LEVEL);
  logger.info(`Starting License Server v${VERSION}`);
  const { state, created } = await loadStateFile(config.DATA_FILE);
  const ledger = new LicenseLedger(state, (next) => saveStateFile(config.DATA_FILE, next));
  logger.info({ data_file: config.DATA_FILE, created, ...ledger.summary() }, 'Loaded state from DATA_FILE');

  const app = buildServer({
    logger,
    trustedKeys: config.LICENSE_PUBLIC_KEYS,
    adminToken: config.ADMIN_TOKEN,
    ledger,
    faults: new FaultInjector(),
    metrics: new LicenseServerMetrics(),
  });
  await app.listen({ port: config.PORT, host: config.HOST });
  logger.info(`License server listening on port ${config.PORT}`);
  onShutdownSignal(async () => {
    // Fastify's close waits for requests in flight, so a usage batch being persisted is answered first.
    await app.close();
    logger.info('License server stopped');
    return 0;
  });
});
