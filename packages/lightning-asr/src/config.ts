import { availableParallelism, homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { ConfigError, env, parseEnv, redisUrlFromEnv, type Env } from '@stt/shared';

/** The engines `ASR_ENGINE` names; all but PocketSphinx take the operator's own model. */
export const ENGINES = ['pocketsphinx', 'whisper', 'sherpa-onnx'] as const;

/** Every variable the ASR worker reads but the Redis ones (`REDIS_VARIABLES`), with its parser and default. */
export const workerVariables = {
  ASR_PORT: env.port(2233),
  ASR_HOST: env.string('0.0.0.0'),
  ASR_ADVERTISE_URL: env.optionalUrl(),
  ASR_WORKER_ID: env.optionalString(),
  ASR_ENGINE: env.enum(ENGINES, 'pocketsphinx'),
  ASR_CAPACITY: env.int(1, 1, 64),
  /** Live streams at once; with PocketSphinx each takes a live decoder (about 105 MB) when its audio starts. */
  ASR_STREAM_CAPACITY: env.int(4, 0, 4096),
  /** Threads each decoder of the whisper and sherpa-onnx engines uses (PocketSphinx is single-threaded). */
  ASR_THREADS: env.int(Math.max(1, Math.min(4, availableParallelism())), 1, 256),
  POCKETSPHINX_MODEL_DIR: env.string('/usr/share/pocketsphinx/model/en-us'),
  /** The operator's model: a URL to download (http, https, file) or a local path; not both. */
  MODEL_URL: env.optionalUrl(['http:', 'https:', 'file:']),
  MODEL_PATH: env.optionalString(),
  /** The model file's sha256; without it, `<MODEL_URL>.sha256` is used when the server has one. */
  MODEL_SHA256: env.optionalString(),
  MODEL_CACHE_DIR: env.string(join(homedir(), '.cache', 'lightning-asr', 'models')),
  /** Seconds one download attempt may take. */
  DOWNLOAD_TIMEOUT: env.int(3600, 1, 7 * 86_400),
  MODEL_DOWNLOAD_RETRIES: env.int(3, 0, 100),
  /** Seconds the model check (the model loaded and run once in a child process) may take. */
  MODEL_CHECK_TIMEOUT_S: env.int(300, 1, 86_400),
  /** Silero VAD `.onnx` for engines that cut live audio with a voice-activity model; default: the one bundled. */
  VAD_MODEL_PATH: env.optionalString(),
  ASR_SELF_TEST_AUDIO: env.string('/usr/share/pocketsphinx/test/data/goforward.raw'),
  /** Words the self-test clip must decode to; for an operator's model, unset means "a decode runs and returns". */
  ASR_SELF_TEST_EXPECTED: env.optionalString(),
  ASR_SELF_TEST_INTERVAL_S: env.int(60, 1, 86_400),
  ASR_HEARTBEAT_INTERVAL_MS: env.int(1000, 100, 60_000),
  ASR_HEARTBEAT_TTL_MS: env.int(5000, 300, 600_000),
  ASR_JOB_LOCK_MS: env.int(10_000, 1000, 600_000),
  DRAIN_TIMEOUT_S: env.int(30, 0, 86_400),
  GPU_DEVICE_ID: env.optionalString(),
  REDIS_KEY_PREFIX: env.string('stt'),
  LOG_LEVEL: env.logLevel(),
};

/** What PocketSphinx's US-English model decodes Debian's `goforward.raw` to. */
const POCKETSPHINX_SELF_TEST_EXPECTED = 'go forward ten meters';

export function loadConfig(source: Env = process.env) {
  const parsed = parseEnv(workerVariables, source);
  const userModel = parsed.ASR_ENGINE !== 'pocketsphinx';
  if (!userModel && (parsed.MODEL_URL !== undefined || parsed.MODEL_PATH !== undefined)) {
    const variable = parsed.MODEL_URL !== undefined ? 'MODEL_URL' : 'MODEL_PATH';
    throw new ConfigError(variable, 'the pocketsphinx engine uses Debian\'s pocketsphinx-en-us model (POCKETSPHINX_MODEL_DIR); set ASR_ENGINE=whisper or sherpa-onnx for a model of your own');
  }
  if (userModel && parsed.MODEL_URL === undefined && parsed.MODEL_PATH === undefined) {
    throw new ConfigError('MODEL_URL', `ASR_ENGINE=${parsed.ASR_ENGINE} needs a model: set MODEL_URL (or MODEL_PATH for a local one)`);
  }
  if (parsed.MODEL_URL !== undefined && parsed.MODEL_PATH !== undefined) {
    throw new ConfigError('MODEL_PATH', 'set MODEL_URL or MODEL_PATH, not both');
  }
  if (parsed.MODEL_SHA256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(parsed.MODEL_SHA256)) {
    throw new ConfigError('MODEL_SHA256', 'expected 64 hexadecimal digits');
  }
  if (parsed.ASR_HEARTBEAT_TTL_MS <= parsed.ASR_HEARTBEAT_INTERVAL_MS) {
    throw new ConfigError('ASR_HEARTBEAT_TTL_MS', `must be longer than ASR_HEARTBEAT_INTERVAL_MS (${parsed.ASR_HEARTBEAT_INTERVAL_MS})`);
  }
  return {
    ...parsed,
    ASR_SELF_TEST_EXPECTED: parsed.ASR_SELF_TEST_EXPECTED ?? (userModel ? undefined : POCKETSPHINX_SELF_TEST_EXPECTED),
    REDIS_URL: redisUrlFromEnv(source),
    workerId: parsed.ASR_WORKER_ID ?? `${hostname()}-${parsed.ASR_PORT}`,
    advertiseUrl: parsed.ASR_ADVERTISE_URL ?? `http://${hostname()}:${parsed.ASR_PORT}`,
  };
}

export type AsrConfig = ReturnType<typeof loadConfig>;
