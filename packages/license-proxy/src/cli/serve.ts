import { createLogger, onShutdownSignal, VERSION } from '@stt/shared';
import { loadConfig } from '../config.js';
import { startLicenseProxy } from '../license-proxy.js';

export async function serve(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('license-proxy', config.LOG_LEVEL);
  logger.info(`Starting License Proxy v${VERSION}`);
  const proxy = await startLicenseProxy(config, { logger });
  onShutdownSignal(async () => {
    await proxy.close();
    return 0;
  });
}
