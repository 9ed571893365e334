import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { licenseClaimsSchema, type LicenseClaims } from './license-claims.js';

/**
 * License key format: `stl1.<base64url(JSON claims)>.<base64url(Ed25519 signature of those bytes)>`.
 * Keys verify offline against the trusted public keys (base64url raw 32-byte Ed25519 keys).
 */
export const LICENSE_KEY_PREFIX = 'stl1';

export type LicenseCheck =
  | { readonly ok: true; readonly claims: LicenseClaims }
  | { readonly ok: false; readonly reason: 'malformed' | 'untrusted'; readonly claims?: undefined }
  | { readonly ok: false; readonly reason: 'expired'; readonly claims: LicenseClaims };

/** Parses a comma-separated list of base64url raw Ed25519 public keys; throws on a bad one. */
export function parsePublicKeys(encoded: readonly string[]): KeyObject[] {
  return encoded.map((x) => {
    if (!/^[A-Za-z0-9_-]{43}$/.test(x)) throw new Error(`not a base64url Ed25519 public key: ${x.slice(0, 12)}…`);
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
  });
}

export function encodePublicKey(key: KeyObject): string {
  const { x } = key.export({ format: 'jwk' });
  if (typeof x !== 'string') throw new Error('not an Ed25519 public key');
  return x;
}

/** Checks the signature against every trusted key, then the expiry against `now`. */
export function checkLicenseKey(key: string, trustedKeys: readonly KeyObject[], now: Date = new Date()): LicenseCheck {
  const parts = key.trim().split('.');
  if (parts.length !== 3 || parts[0] !== LICENSE_KEY_PREFIX) return { ok: false, reason: 'malformed' };
  const payload = decodeCanonical(parts[1] ?? '');
  const signature = decodeCanonical(parts[2] ?? '');
  if (payload === undefined || signature === undefined || signature.length !== 64) return { ok: false, reason: 'malformed' };
  if (!trustedKeys.some((publicKey) => verify(null, payload, publicKey, signature))) {
    return { ok: false, reason: 'untrusted' };
  }
  let claims: LicenseClaims;
  try {
    const parsed = licenseClaimsSchema.safeParse(JSON.parse(payload.toString('utf8')));
    if (!parsed.success) return { ok: false, reason: 'malformed' };
    claims = parsed.data;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (Date.parse(claims.expires_at) <= now.getTime()) return { ok: false, reason: 'expired', claims };
  return { ok: true, claims };
}

/**
 * The bytes of a base64url part, only when it is exactly how they are written: Node's decoder
 * skips characters outside the alphabet and ignores padding and unused low bits, so without this
 * `stl1.ey…!….sig=` would pass for the key it was made from.
 */
function decodeCanonical(part: string): Buffer | undefined {
  const bytes = Buffer.from(part, 'base64url');
  return part !== '' && bytes.toString('base64url') === part ? bytes : undefined;
}
