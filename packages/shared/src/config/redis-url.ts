import { ConfigError } from './config-error.js';
import type { Env } from './env.js';

/** The variables redisUrlFromEnv reads: every service's Redis settings, by these names. */
export const REDIS_VARIABLES = { url: 'REDIS_URL', host: 'REDIS_HOST', port: 'REDIS_PORT', password: 'REDIS_PASSWORD' } as const;

/**
 * The Redis URL from `REDIS_URL`, or built from the documented `REDIS_HOST` / `REDIS_PORT` /
 * `REDIS_PASSWORD` trio; `redis://127.0.0.1:6379` when none is set.
 */
export function redisUrlFromEnv(source: Env = process.env): string {
  const explicit = source[REDIS_VARIABLES.url]?.trim();
  if (explicit) {
    let url: URL;
    try {
      url = new URL(explicit);
    } catch {
      throw new ConfigError(REDIS_VARIABLES.url, `expected a URL such as redis://host:6379 (got ${JSON.stringify(explicit)})`);
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
      throw new ConfigError(REDIS_VARIABLES.url, `expected a redis:// or rediss:// URL (got ${JSON.stringify(explicit)})`);
    }
    return explicit;
  }
  const host = source[REDIS_VARIABLES.host]?.trim() || '127.0.0.1';
  const port = source[REDIS_VARIABLES.port]?.trim() || '6379';
  if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw new ConfigError(REDIS_VARIABLES.port, `expected a whole number from 1 to 65535 (got ${JSON.stringify(port)})`);
  }
  const password = source[REDIS_VARIABLES.password];
  const credentials = password ? `:${encodeURIComponent(password)}@` : '';
  return `redis://${credentials}${host}:${port}`;
}
