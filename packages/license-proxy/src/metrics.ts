import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { LicenseState } from './license/license-state.js';

/** The proxy's Prometheus registry; license gauges are read from the state at scrape time. */
export function createMetrics(state: LicenseState): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'license_proxy_license_valid',
    help: '1 when the license is usable, 0 otherwise.',
    registers: [registry],
    collect() {
      this.set(state.health().license_valid ? 1 : 0);
    },
  });
  new Gauge({
    name: 'license_proxy_license_expiry_seconds',
    help: 'Seconds until the license key expires (negative once expired).',
    registers: [registry],
    collect() {
      const validUntil = state.health().valid_until;
      if (validUntil !== null) this.set((Date.parse(validUntil) - Date.now()) / 1000);
    },
  });
  new Gauge({
    name: 'license_proxy_grace_period_active',
    help: '1 while serving on a cached validation because the license server is unreachable.',
    registers: [registry],
    collect() {
      this.set(state.health().grace_period_active ? 1 : 0);
    },
  });
  return registry;
}
