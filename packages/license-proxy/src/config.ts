import { env, parseEnv, redisUrlFromEnv, USAGE_BATCH_MAX_EVENTS, type Env } from '@stt/shared';

/** Every variable the license proxy reads but the Redis ones (`REDIS_VARIABLES`), with its parser and default. */
export const licenseProxyVariables = {
  PORT: env.port(6699),
  HOST: env.string('0.0.0.0'),
  LICENSE_KEY: env.string(),
  LICENSE_PUBLIC_KEYS: env.publicKeys(),
  /** The vendor's license server; unset → offline, on the key's signature alone. */
  LICENSE_SERVER_URL: env.optionalUrl(),
  LICENSE_SERVER_TIMEOUT_S: env.int(10, 1, 600),
  LICENSE_VALIDATION_INTERVAL_S: env.int(300, 1, 86_400),
  LICENSE_GRACE_HOURS: env.int(24, 0, 24 * 365),
  USAGE_REPORT_INTERVAL_S: env.int(300, 1, 86_400),
  USAGE_BATCH_MAX: env.int(USAGE_BATCH_MAX_EVENTS, 1, USAGE_BATCH_MAX_EVENTS),
  REDIS_KEY_PREFIX: env.string('stt'),
  LOG_LEVEL: env.logLevel(),
};

export function loadConfig(source: Env = process.env) {
  const parsed = parseEnv(licenseProxyVariables, source);
  return { ...parsed, REDIS_URL: redisUrlFromEnv(source) };
}

export type LicenseProxyConfig = ReturnType<typeof loadConfig>;
