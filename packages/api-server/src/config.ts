import { ConfigError, env, parseEnv, redisUrlFromEnv, type Env } from '@stt/shared';

/** Every variable the API server reads but the Redis ones (`REDIS_VARIABLES`), with its parser and default. */
export const apiServerVariables = {
  API_SERVER_PORT: env.port(7100),
  API_SERVER_HOST: env.string('0.0.0.0'),
  /** The license proxy (the documented name). */
  API_BASE_URL: env.url('http://127.0.0.1:6699'),
  LICENSE_PUBLIC_KEYS: env.publicKeys(),
  HEALTH_PROBE_INTERVAL_MS: env.int(2000, 100, 60_000),
  HEALTH_PROBE_TIMEOUT_MS: env.int(1000, 50, 1000),
  /** The API server is degraded while more than HEALTH_ERROR_RATE_PERCENT of the transcription requests of this window failed server-side. */
  HEALTH_ERROR_WINDOW_S: env.int(300, 10, 3600),
  HEALTH_ERROR_MIN_REQUESTS: env.int(20, 1, 1_000_000),
  HEALTH_ERROR_RATE_PERCENT: env.int(10, 0, 99),
  DRAIN_TIMEOUT_S: env.int(30, 0, 86_400),
  DRAIN_DELAY_S: env.int(0, 0, 3600),
  /** Open client connections; a few more are accepted for health checks only. */
  MAX_CONNECTIONS: env.int(1024, 1, 1_000_000),
  /** A request body must send BODY_MIN_BYTES_PER_S × this (at least 1 byte) in every window of this length. */
  BODY_RATE_WINDOW_S: env.int(10, 1, 3600),
  BODY_MIN_BYTES_PER_S: env.int(500, 0, 1_000_000_000),
  REDIS_KEY_PREFIX: env.string('stt'),
  MAX_UPLOAD_MB: env.int(100, 1, 10_000),
  MAX_AUDIO_DURATION_S: env.int(7200, 1, 86_400),
  REQUEST_TIMEOUT_S: env.int(300, 1, 86_400),
  CALLBACK_JOB_TIMEOUT_S: env.int(3600, 1, 86_400),
  /** How long a callback job's lease outlives its API server's last heartbeat; then another takes it over. */
  CALLBACK_JOB_LEASE_MS: env.int(10_000, 1000, 600_000),
  /** How long a synchronous request waits for an unreachable Redis before its 503. */
  REDIS_OUTAGE_GRACE_S: env.int(5, 1, 300),
  CALLBACK_MAX_RETRIES: env.int(10, 0, 100),
  CALLBACK_TIMEOUT_S: env.int(10, 1, 600),
  CALLBACK_INITIAL_BACKOFF_MS: env.int(1000, 10, 600_000),
  WEBHOOK_SECRET: env.optionalString(),
  JOB_RESULT_TTL_S: env.int(3600, 60, 30 * 86_400),
  QUEUE_MAX_SEGMENTS: env.int(200, 1, 1_000_000),
  SEGMENT_MAX_S: env.int(20, 5, 600),
  SEGMENT_MIN_S: env.int(5, 1, 600),
  SEGMENTS_IN_FLIGHT: env.int(64, 1, 10_000),
  URL_FETCH_TIMEOUT_S: env.int(60, 1, 3600),
  URL_FETCH_ALLOWED_HOSTS: env.list(),
  RATE_LIMIT_REQUESTS_PER_MINUTE: env.optionalInt(1, 1_000_000),
  RATE_LIMIT_CONCURRENT: env.optionalInt(1, 100_000),
  AUDIO_HOURS_PER_DAY: env.optionalInt(1, 1_000_000),
  /** Fixed live workers (comma-separated); unset: the least loaded workers of the Redis registry. */
  LIGHTNING_ASR_STREAMING_BASE_URL: env.list(),
  STREAM_IDLE_TIMEOUT_S: env.int(15, 1, 3600),
  /** A live stream's longest life; also how long its concurrency slot may be held. */
  STREAM_MAX_DURATION_S: env.int(4 * 3600, 1, 7 * 86_400),
  STREAM_MAX_BUFFER_KB: env.int(1024, 16, 1_048_576),
  STREAM_MAX_FRAME_KB: env.int(1024, 1, 65_536),
  LOG_LEVEL: env.logLevel(),
};

export function loadConfig(source: Env = process.env) {
  const parsed = parseEnv(apiServerVariables, source);
  if (parsed.SEGMENT_MIN_S >= parsed.SEGMENT_MAX_S) {
    throw new ConfigError('SEGMENT_MIN_S', `must be shorter than SEGMENT_MAX_S (${parsed.SEGMENT_MAX_S})`);
  }
  return { ...parsed, REDIS_URL: redisUrlFromEnv(source) };
}

export type ApiServerConfig = ReturnType<typeof loadConfig>;
