import { createLogger, onShutdownSignal, VERSION } from '@stt/shared';
import { loadConfig } from '../config.js';
import { LicenseState } from '../license/license-state.js';
import { createMetrics } from '../metrics.js';
import { buildServer } from '../server.js';

export async function serve(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('license-proxy', config.LOG_LEVEL);
  logger.info(`Starting License Proxy v${VERSION}`);
  const state = new LicenseState(config.LICENSE_KEY, config.LICENSE_PUBLIC_KEYS);
  logger.info('License key loaded');
  const check = state.check();
  if (check.ok) {
    logger.info({ customer: check.claims.customer }, 'License validated successfully');
    logger.info(`License valid until: ${check.claims.expires_at}`);
  } else {
    // Keep serving: the API server then reports "License invalid or expired" instead of a dead proxy.
    logger.error(`License validation failed: ${state.health().reason ?? check.reason}`);
  }
  const app = buildServer(state, createMetrics(state), logger);
  await app.listen({ port: config.PORT, host: config.HOST });
  logger.info(`Server listening on port ${config.PORT}`);
  onShutdownSignal(async () => {
    await app.close();
    return 0;
  });
}
