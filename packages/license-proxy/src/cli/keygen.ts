import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKeyPair } from '../license/signing-key-pair.js';

/** Writes `signing.key` (private, mode 600) and `signing.pub` into `dir`; prints the public key. */
export function keygen(dir: string): void {
  const pair = generateSigningKeyPair();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'signing.key'), pair.privateKeyPem, { mode: 0o600 });
  writeFileSync(join(dir, 'signing.pub'), `${pair.publicKey}\n`);
  process.stdout.write(`${pair.publicKey}\n`);
}
