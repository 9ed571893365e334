import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKeyPair, issueLicenseKey } from '@stt/license-proxy';
import { checkLicenseKey, parsePublicKeys } from '@stt/shared';

export interface LocalLicense {
  readonly licenseKey: string;
  readonly publicKey: string;
  /** True when this call issued it (first start, or the old one had expired). */
  readonly issued: boolean;
}

/**
 * The embedded default license: a signing key pair and a key for customer "local", kept in
 * `dir` (`.stack/`) so the key stays the same across restarts of the stack.
 */
export function ensureLocalLicense(dir: string): LocalLicense {
  mkdirSync(dir, { recursive: true });
  const signingKeyFile = join(dir, 'signing.key');
  const publicKeyFile = join(dir, 'signing.pub');
  const licenseFile = join(dir, 'license.key');
  if (!existsSync(signingKeyFile) || !existsSync(publicKeyFile)) {
    const pair = generateSigningKeyPair();
    writeFileSync(signingKeyFile, pair.privateKeyPem, { mode: 0o600 });
    writeFileSync(publicKeyFile, `${pair.publicKey}\n`);
  }
  const publicKey = readFileSync(publicKeyFile, 'utf8').trim();
  if (existsSync(licenseFile)) {
    const licenseKey = readFileSync(licenseFile, 'utf8').trim();
    if (checkLicenseKey(licenseKey, parsePublicKeys([publicKey])).ok) return { licenseKey, publicKey, issued: false };
  }
  const licenseKey = issueLicenseKey(readFileSync(signingKeyFile, 'utf8'), { customer: 'local', validDays: 365 });
  writeFileSync(licenseFile, `${licenseKey}\n`, { mode: 0o600 });
  return { licenseKey, publicKey, issued: true };
}
