import { env, parseEnv, redisUrlFromEnv, type Env } from '@stt/shared';

export function loadConfig(source: Env = process.env) {
  const parsed = parseEnv(
    {
      API_SERVER_PORT: env.port(7100),
      API_SERVER_HOST: env.string('0.0.0.0'),
      /** The license proxy (the documented name). */
      API_BASE_URL: env.url('http://127.0.0.1:6699'),
      LICENSE_PUBLIC_KEYS: env.publicKeys(),
      HEALTH_PROBE_INTERVAL_MS: env.int(2000, 100, 60_000),
      HEALTH_PROBE_TIMEOUT_MS: env.int(1000, 50, 1000),
      DRAIN_TIMEOUT_S: env.int(30, 0, 86_400),
      DRAIN_DELAY_S: env.int(0, 0, 3600),
      REDIS_KEY_PREFIX: env.string('stt'),
      LOG_LEVEL: env.logLevel(),
    },
    source,
  );
  return { ...parsed, REDIS_URL: redisUrlFromEnv(source) };
}

export type ApiServerConfig = ReturnType<typeof loadConfig>;
