import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { LICENSE_KEY_PREFIX, type LicenseClaims } from '@stt/shared';

export interface IssueLicenseOptions {
  readonly customer: string;
  readonly validDays: number;
  readonly features?: readonly string[];
  readonly limits?: Partial<LicenseClaims['limits']>;
  readonly now?: Date;
}

/** The documented defaults: 60 requests/min, 10 concurrent, 100 audio hours a day. */
export const DEFAULT_LIMITS: LicenseClaims['limits'] = {
  requests_per_minute: 60,
  concurrent_requests: 10,
  audio_hours_per_day: 100,
};

export const DEFAULT_FEATURES = ['batch', 'streaming', 'timestamps', 'punctuation'] as const;

/** Signs a new license key with the issuer's Ed25519 private key (PKCS#8 PEM). */
export function issueLicenseKey(privateKeyPem: string, options: IssueLicenseOptions): string {
  const now = options.now ?? new Date();
  const claims: LicenseClaims = {
    v: 1,
    license_id: randomUUID(),
    customer: options.customer,
    issued_at: now.toISOString(),
    expires_at: new Date(now.getTime() + options.validDays * 86_400_000).toISOString(),
    features: [...(options.features ?? DEFAULT_FEATURES)],
    limits: { ...DEFAULT_LIMITS, ...options.limits },
  };
  const payload = Buffer.from(JSON.stringify(claims), 'utf8');
  const signature = sign(null, payload, createPrivateKey(privateKeyPem));
  return `${LICENSE_KEY_PREFIX}.${payload.toString('base64url')}.${signature.toString('base64url')}`;
}
