import type { KeyObject } from 'node:crypto';
import { checkLicenseKey, type LicenseCheck, type LicenseProxyHealth, type LicenseRefusal } from '@stt/shared';
import type { ValidationRecord } from './validation-record.js';

const OFFLINE_REASONS: Record<Exclude<LicenseCheck, { ok: true }>['reason'], string> = {
  malformed: 'License key is malformed',
  untrusted: 'License key is not signed by a trusted key',
  expired: 'License expired',
};

const REFUSAL_REASONS: Record<LicenseRefusal, string> = {
  INVALID_LICENSE: 'License rejected by the license server',
  LICENSE_REVOKED: 'License revoked',
  LICENSE_EXPIRED: 'License expired',
};

export const NOT_YET_VALIDATED = 'License not validated: the license server is unreachable and there is no cached validation';
const GRACE_PERIOD_EXPIRED = 'Grace period expired: the license server has been unreachable for too long';

/** Where the grace period stands at one moment; only meaningful while the server is unreachable. */
export interface GraceStatus {
  readonly endsAt: Date;
  readonly remainingMs: number;
}

export interface LicenseStateOptions {
  /** False when no license server is configured: the signature alone decides. */
  readonly upstream: boolean;
  readonly graceMs: number;
  readonly clock?: () => Date;
}

/**
 * The proxy's view of its license, computed on every read from the key's signature and expiry,
 * the license server's last verdict, and the clock: a key that expires, or a grace period that
 * ends, turns unhealthy at that moment, whether or not anything else happens.
 */
export class LicenseState {
  readonly clock: () => Date;
  /** The license server's last verdict (kept up to date by the validator). */
  validation: ValidationRecord | undefined;

  constructor(
    private readonly licenseKey: string,
    private readonly trustedKeys: readonly KeyObject[],
    private readonly options: LicenseStateOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
  }

  /** The key on its own: signature, form and expiry. */
  check(): LicenseCheck {
    return checkLicenseKey(this.licenseKey, this.trustedKeys, this.clock());
  }

  /** The grace period, when the license server is unreachable after having accepted the key. */
  grace(): GraceStatus | undefined {
    const record = this.validation;
    if (record === undefined || record.verdict !== 'valid' || record.unreachable_since === null) return undefined;
    const endsAt = new Date(Date.parse(record.validated_at) + this.options.graceMs);
    return { endsAt, remainingMs: Math.max(0, endsAt.getTime() - this.clock().getTime()) };
  }

  health(): LicenseProxyHealth {
    const check = this.check();
    const record = this.validation;
    const base = {
      valid_until: check.claims?.expires_at ?? null,
      grace_period_active: false,
      grace_period_ends_at: null,
      grace_period_remaining_seconds: null,
      last_validated_at: record?.validated_at ?? null,
      license_server: !this.options.upstream ? 'not_configured' : record?.unreachable_since === null ? 'reachable' : 'unreachable',
    } as const;
    const unusable = (reason: string): LicenseProxyHealth => ({ ...base, status: 'unhealthy', license_valid: false, reason });

    if (!check.ok) return unusable(OFFLINE_REASONS[check.reason]);
    if (!this.options.upstream) return { ...base, status: 'healthy', license_valid: true };
    if (record === undefined) return unusable(NOT_YET_VALIDATED);
    if (record.verdict === 'refused') return unusable(REFUSAL_REASONS[record.refusal ?? 'INVALID_LICENSE']);
    const grace = this.grace();
    if (grace === undefined) return { ...base, status: 'healthy', license_valid: true };
    if (grace.remainingMs === 0) return unusable(GRACE_PERIOD_EXPIRED);
    return {
      ...base,
      status: 'degraded',
      license_valid: true,
      grace_period_active: true,
      grace_period_ends_at: grace.endsAt.toISOString(),
      grace_period_remaining_seconds: Math.round(grace.remainingMs / 1000),
    };
  }
}
