import type { Logger } from '@stt/shared';
import type { HealthMonitor } from './health-monitor.js';

/**
 * Logs each component's status changes once, with the documented lines where there are some
 * (`Connected to Lightning ASR (N replicas)`, `License validated`).
 */
export function logHealthChanges(monitor: HealthMonitor, logger: Logger): void {
  monitor.onChange((component, report, previous) => {
    if (report.status === 'unhealthy') {
      logger.warn({ component, details: report.details }, `${component} unhealthy: ${report.reason ?? 'unknown'}`);
      return;
    }
    if (component === 'lightning_asr') {
      logger.info({ details: report.details }, `Connected to Lightning ASR (${String(report.details.workers_ready)} replicas)`);
    } else if (component === 'license_proxy') {
      logger.info({ valid_until: report.details.valid_until }, 'License validated');
    } else {
      logger.info({ component }, `${component} ${previous.status === 'unhealthy' ? 'recovered' : report.status}`);
    }
    if (report.status === 'degraded') logger.warn({ component, details: report.details }, `${component} degraded`);
  });
}
