import { env, parseEnv, type Env } from '@stt/shared';

/** Shorter admin tokens are guessable; refuse them rather than guard the admin routes with one. */
const ADMIN_TOKEN_MIN_LENGTH = 16;

export function loadConfig(source: Env = process.env) {
  return parseEnv(
    {
      PORT: env.port(6700),
      HOST: env.string('0.0.0.0'),
      LICENSE_PUBLIC_KEYS: env.publicKeys(),
      ADMIN_TOKEN: env
        .string()
        .refine((token) => token.length >= ADMIN_TOKEN_MIN_LENGTH, `expected at least ${ADMIN_TOKEN_MIN_LENGTH} characters`),
      DATA_FILE: env.string(),
      LOG_LEVEL: env.logLevel(),
    },
    source,
  );
}

export type LicenseServerConfig = ReturnType<typeof loadConfig>;
