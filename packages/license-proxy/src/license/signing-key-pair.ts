import { generateKeyPairSync } from 'node:crypto';
import { encodePublicKey } from '@stt/shared';

export interface SigningKeyPair {
  /** PKCS#8 PEM; keep it secret, it issues licenses. */
  readonly privateKeyPem: string;
  /** base64url raw Ed25519 key, the form `LICENSE_PUBLIC_KEYS` takes. */
  readonly publicKey: string;
}

export function generateSigningKeyPair(): SigningKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKey: encodePublicKey(publicKey),
  };
}
