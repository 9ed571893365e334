import { hostname } from 'node:os';
import { ConfigError, env, parseEnv, redisUrlFromEnv, type Env } from '@stt/shared';

/** Every variable the ASR worker reads but the Redis ones (`REDIS_VARIABLES`), with its parser and default. */
export const workerVariables = {
  ASR_PORT: env.port(2233),
  ASR_HOST: env.string('0.0.0.0'),
  ASR_ADVERTISE_URL: env.optionalUrl(),
  ASR_WORKER_ID: env.optionalString(),
  ASR_ENGINE: env.enum(['pocketsphinx'], 'pocketsphinx'),
  ASR_CAPACITY: env.int(1, 1, 64),
  /** Live streams at once; each takes a live decoder (about 105 MB) when its audio starts. */
  ASR_STREAM_CAPACITY: env.int(4, 0, 4096),
  POCKETSPHINX_MODEL_DIR: env.string('/usr/share/pocketsphinx/model/en-us'),
  ASR_SELF_TEST_AUDIO: env.string('/usr/share/pocketsphinx/test/data/goforward.raw'),
  ASR_SELF_TEST_EXPECTED: env.string('go forward ten meters'),
  ASR_SELF_TEST_INTERVAL_S: env.int(60, 1, 86_400),
  ASR_HEARTBEAT_INTERVAL_MS: env.int(1000, 100, 60_000),
  ASR_HEARTBEAT_TTL_MS: env.int(5000, 300, 600_000),
  ASR_JOB_LOCK_MS: env.int(10_000, 1000, 600_000),
  DRAIN_TIMEOUT_S: env.int(30, 0, 86_400),
  GPU_DEVICE_ID: env.optionalString(),
  MODEL_URL: env.optionalUrl(),
  REDIS_KEY_PREFIX: env.string('stt'),
  LOG_LEVEL: env.logLevel(),
};

export function loadConfig(source: Env = process.env) {
  const parsed = parseEnv(workerVariables, source);
  if (parsed.MODEL_URL !== undefined) {
    // PocketSphinx's model comes from Debian's pocketsphinx-en-us package; no archive format is defined yet.
    throw new ConfigError('MODEL_URL', 'model download is not supported by the pocketsphinx engine; unset it');
  }
  if (parsed.ASR_HEARTBEAT_TTL_MS <= parsed.ASR_HEARTBEAT_INTERVAL_MS) {
    throw new ConfigError('ASR_HEARTBEAT_TTL_MS', `must be longer than ASR_HEARTBEAT_INTERVAL_MS (${parsed.ASR_HEARTBEAT_INTERVAL_MS})`);
  }
  return {
    ...parsed,
    REDIS_URL: redisUrlFromEnv(source),
    workerId: parsed.ASR_WORKER_ID ?? `${hostname()}-${parsed.ASR_PORT}`,
    advertiseUrl: parsed.ASR_ADVERTISE_URL ?? `http://${hostname()}:${parsed.ASR_PORT}`,
  };
}

export type AsrConfig = ReturnType<typeof loadConfig>;
