import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { LicenseState } from './license/license-state.js';

/**
 * The proxy's Prometheus registry. License gauges are read from the state at scrape time; the
 * pending-events gauge asks Redis then (and is left out when Redis does not answer).
 */
export class ProxyMetrics {
  readonly registry = new Registry();
  readonly validationFailures = new Counter({
    name: 'license_proxy_validation_failures_total',
    help: 'License server validations that failed: unreachable (no answer) or refused (the key was rejected).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly usageEventsReported = new Counter({
    name: 'license_proxy_usage_events_reported_total',
    help: 'Usage events the license server acknowledged.',
    registers: [this.registry],
  });
  readonly usageReportFailures = new Counter({
    name: 'license_proxy_usage_report_failures_total',
    help: 'Usage batch deliveries that failed and will be retried.',
    registers: [this.registry],
  });

  constructor(state: LicenseState, pendingUsageEvents: () => Promise<number>) {
    collectDefaultMetrics({ register: this.registry });
    const now = (): number => state.clock().getTime();
    new Gauge({
      name: 'license_proxy_license_valid',
      help: '1 when the license is usable (grace period included), 0 otherwise.',
      registers: [this.registry],
      collect() {
        this.set(state.health().license_valid ? 1 : 0);
      },
    });
    new Gauge({
      name: 'license_proxy_license_expiry_seconds',
      help: 'Seconds until the license key expires (negative once expired).',
      registers: [this.registry],
      collect() {
        const validUntil = state.health().valid_until;
        if (validUntil !== null) this.set((Date.parse(validUntil) - now()) / 1000);
      },
    });
    new Gauge({
      name: 'license_proxy_grace_period_active',
      help: '1 while serving on a cached validation because the license server is unreachable.',
      registers: [this.registry],
      collect() {
        this.set(state.health().grace_period_active ? 1 : 0);
      },
    });
    new Gauge({
      name: 'license_proxy_grace_period_remaining_seconds',
      help: 'Seconds of grace period left while it is active (0 otherwise).',
      registers: [this.registry],
      collect() {
        this.set(state.health().grace_period_remaining_seconds ?? 0);
      },
    });
    new Gauge({
      name: 'license_proxy_last_validation_timestamp_seconds',
      help: 'Unix time of the license server\'s last answer (absent before the first one).',
      registers: [this.registry],
      collect() {
        const validatedAt = state.validation?.validated_at;
        if (validatedAt !== undefined) this.set(Date.parse(validatedAt) / 1000);
      },
    });
    new Gauge({
      name: 'license_proxy_usage_events_pending',
      help: 'Usage events recorded and not yet acknowledged by the license server.',
      registers: [this.registry],
      async collect() {
        this.reset();
        const pending = await pendingUsageEvents().catch(() => undefined);
        if (pending !== undefined) this.set(pending);
      },
    });
  }
}
