import { env, parseEnv, type Env } from '@stt/shared';

export function loadConfig(source: Env = process.env) {
  return parseEnv(
    {
      PORT: env.port(6699),
      HOST: env.string('0.0.0.0'),
      LICENSE_KEY: env.string(),
      LICENSE_PUBLIC_KEYS: env.publicKeys(),
      LOG_LEVEL: env.logLevel(),
    },
    source,
  );
}

export type LicenseProxyConfig = ReturnType<typeof loadConfig>;
