import { licenseProxyHealthSchema } from '@stt/shared';
import { REASONS, type ComponentReport, type Probe } from '../component-report.js';

/**
 * Asks the license proxy's `/health`. Unreachable, hung or nonsense → "License proxy unavailable";
 * a proxy that answers that its license is not usable → "License invalid or expired";
 * a usable license on a cached validation (grace period) → degraded.
 */
export class LicenseProbe implements Probe {
  readonly component = 'license_proxy';
  private readonly url: string;

  constructor(proxyBaseUrl: string) {
    this.url = new URL('/health', proxyBaseUrl).toString();
  }

  async run(signal: AbortSignal): Promise<ComponentReport> {
    let body: unknown;
    try {
      const response = await fetch(this.url, { signal, headers: { accept: 'application/json' } });
      body = await response.json();
    } catch {
      return this.timedOut();
    }
    const parsed = licenseProxyHealthSchema.safeParse(body);
    if (!parsed.success) return this.timedOut();
    const health = parsed.data;
    const details = {
      license_valid: health.license_valid,
      valid_until: health.valid_until,
      grace_period_active: health.grace_period_active,
      grace_period_ends_at: health.grace_period_ends_at,
      grace_period_remaining_seconds: health.grace_period_remaining_seconds,
      last_validated_at: health.last_validated_at,
      license_server: health.license_server,
      ...(health.reason !== undefined ? { license_reason: health.reason } : {}),
    };
    if (!health.license_valid) return { status: 'unhealthy', reason: REASONS.licenseInvalid, details };
    return { status: health.grace_period_active ? 'degraded' : 'healthy', details };
  }

  timedOut(): ComponentReport {
    return {
      status: 'unhealthy',
      reason: REASONS.proxyUnavailable,
      details: {
        license_valid: null,
        valid_until: null,
        grace_period_active: null,
        grace_period_ends_at: null,
        grace_period_remaining_seconds: null,
        last_validated_at: null,
        license_server: null,
      },
    };
  }
}
