import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { LicenseState } from './license/license-state.js';

/**
 * The proxy's Prometheus registry. License gauges are read from the state at scrape time; the
 * pending-events gauge asks Redis then (and keeps its last value when Redis does not answer).
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
    this.stateGauge('license_proxy_license_valid', '1 when the license is usable (grace period included), 0 otherwise.', () =>
      state.health().license_valid ? 1 : 0,
    );
    this.stateGauge('license_proxy_license_expiry_seconds', 'Seconds until the license key expires (negative once expired).', () => {
      const validUntil = state.health().valid_until;
      return validUntil === null ? undefined : (Date.parse(validUntil) - now()) / 1000;
    });
    this.stateGauge('license_proxy_grace_period_active', '1 while serving on a cached validation because the license server is unreachable.', () =>
      state.health().grace_period_active ? 1 : 0,
    );
    this.stateGauge('license_proxy_grace_period_remaining_seconds', 'Seconds of grace period left while it is active (0 otherwise).', () =>
      state.health().grace_period_remaining_seconds ?? 0,
    );
    this.stateGauge('license_proxy_last_validation_timestamp_seconds', "Unix time of the license server's last answer (0 before the first one).", () => {
      const validatedAt = state.validation?.validated_at;
      return validatedAt === undefined ? undefined : Date.parse(validatedAt) / 1000;
    });
    new Gauge({
      name: 'license_proxy_usage_events_pending',
      help: 'Usage events recorded and not yet acknowledged by the license server.',
      registers: [this.registry],
      async collect() {
        const pending = await pendingUsageEvents().catch(() => undefined);
        if (pending !== undefined) this.set(pending);
      },
    });
  }

  /** A gauge read at scrape time; 0 while `read` has no value. */
  private stateGauge(name: string, help: string, read: () => number | undefined): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.reset();
        const value = read();
        if (value !== undefined) this.set(value);
      },
    });
  }
}
