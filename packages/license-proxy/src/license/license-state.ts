import type { KeyObject } from 'node:crypto';
import { checkLicenseKey, type LicenseCheck, type LicenseProxyHealth } from '@stt/shared';

const REASONS: Record<Exclude<LicenseCheck, { ok: true }>['reason'], string> = {
  malformed: 'License key is malformed',
  untrusted: 'License key is not signed by a trusted key',
  expired: 'License expired',
};

/**
 * The proxy's view of its license. Checked against the clock on every read, so a key that
 * expires while the proxy runs turns unhealthy at that moment.
 */
export class LicenseState {
  constructor(
    private readonly licenseKey: string,
    private readonly trustedKeys: readonly KeyObject[],
    private readonly clock: () => Date = () => new Date(),
  ) {}

  check(): LicenseCheck {
    return checkLicenseKey(this.licenseKey, this.trustedKeys, this.clock());
  }

  health(): LicenseProxyHealth {
    const check = this.check();
    const validUntil = check.claims?.expires_at ?? null;
    if (check.ok) {
      return { status: 'healthy', license_valid: true, valid_until: validUntil, grace_period_active: false };
    }
    return {
      status: 'unhealthy',
      license_valid: false,
      valid_until: validUntil,
      grace_period_active: false,
      reason: REASONS[check.reason],
    };
  }
}
