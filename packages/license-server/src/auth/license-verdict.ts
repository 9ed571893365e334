import type { KeyObject } from 'node:crypto';
import { checkLicenseKey, type LicenseClaims, type LicenseRefusal } from '@stt/shared';

export type LicenseVerdict =
  | { readonly ok: true; readonly claims: LicenseClaims }
  | { readonly ok: false; readonly code: LicenseRefusal; readonly message: string; readonly licenseId?: string };

/**
 * Whether a license key is good right now: signed by a trusted key, not revoked, not expired.
 * Revocation is checked before expiry: it is the vendor's deliberate word on that license.
 */
export function judgeLicenseKey(
  key: string | undefined,
  trustedKeys: readonly KeyObject[],
  isRevoked: (licenseId: string) => boolean,
  now: Date,
): LicenseVerdict {
  if (key === undefined) {
    return { ok: false, code: 'INVALID_LICENSE', message: 'Missing or malformed Authorization header; send "Authorization: Bearer <license key>".' };
  }
  const check = checkLicenseKey(key, trustedKeys, now);
  if (check.claims === undefined) return { ok: false, code: 'INVALID_LICENSE', message: 'Invalid license key.' };
  const licenseId = check.claims.license_id;
  if (isRevoked(licenseId)) return { ok: false, code: 'LICENSE_REVOKED', message: 'License revoked.', licenseId };
  if (!check.ok) return { ok: false, code: 'LICENSE_EXPIRED', message: 'License expired.', licenseId };
  return { ok: true, claims: check.claims };
}
