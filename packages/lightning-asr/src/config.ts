import { availableParallelism, homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { ConfigError, env, parseEnv, redisUrlFromEnv, type Env } from '@stt/shared';

/** The engines `ASR_ENGINE` names; all but PocketSphinx take the operator's own model. */
export const ENGINES = ['pocketsphinx', 'whisper', 'sherpa-onnx'] as const;

/** What a model URL may be: downloaded over http(s), or a `file:` URL on this machine. */
const MODEL_URL_PROTOCOLS = ['http:', 'https:', 'file:'];

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
  MODEL_URL: env.optionalUrl(MODEL_URL_PROTOCOLS),
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
  /**
   * The neural diarizer's models, both or neither (neither: the model-free MFCC diarizer), each
   * given like MODEL_*: a pyannote segmentation `.onnx` (or the sherpa-onnx archive holding it)
   * and a speaker-embedding `.onnx`, each with an optional sha256.
   */
  DIARIZATION_SEGMENTATION_MODEL_URL: env.optionalUrl(MODEL_URL_PROTOCOLS),
  DIARIZATION_SEGMENTATION_MODEL_PATH: env.optionalString(),
  DIARIZATION_SEGMENTATION_MODEL_SHA256: env.optionalString(),
  DIARIZATION_EMBEDDING_MODEL_URL: env.optionalUrl(MODEL_URL_PROTOCOLS),
  DIARIZATION_EMBEDDING_MODEL_PATH: env.optionalString(),
  DIARIZATION_EMBEDDING_MODEL_SHA256: env.optionalString(),
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
  checkModelSource(parsed, 'MODEL');
  checkDiarizationModels(parsed);
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

/** The models given as `<prefix>_URL` or `<prefix>_PATH`, each with an optional `<prefix>_SHA256`. */
export type ModelSourcePrefix = 'MODEL' | 'DIARIZATION_SEGMENTATION_MODEL' | 'DIARIZATION_EMBEDDING_MODEL';

/** The three variables of one model source, as parsed. */
export type ModelSourceVariables<P extends ModelSourcePrefix> = { readonly [K in `${P}_URL` | `${P}_PATH` | `${P}_SHA256`]?: string | undefined };

/** The variable the model `prefix` names is given by (`<prefix>_URL` or `<prefix>_PATH`), or undefined when it is not given. */
export function modelSourceVariable<P extends ModelSourcePrefix>(values: ModelSourceVariables<P>, prefix: P): `${P}_URL` | `${P}_PATH` | undefined {
  if (values[`${prefix}_URL`] !== undefined) return `${prefix}_URL`;
  return values[`${prefix}_PATH`] !== undefined ? `${prefix}_PATH` : undefined;
}

/** A model is given one way, URL or path, and its sha256 is one a file can have. */
function checkModelSource<P extends ModelSourcePrefix>(values: ModelSourceVariables<P>, prefix: P): void {
  if (values[`${prefix}_URL`] !== undefined && values[`${prefix}_PATH`] !== undefined) {
    throw new ConfigError(`${prefix}_PATH`, `set ${prefix}_URL or ${prefix}_PATH, not both`);
  }
  const sha256 = values[`${prefix}_SHA256`];
  if (sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(sha256)) throw new ConfigError(`${prefix}_SHA256`, 'expected 64 hexadecimal digits');
}

type DiarizationModelPrefix = 'DIARIZATION_SEGMENTATION_MODEL' | 'DIARIZATION_EMBEDDING_MODEL';

/** The neural diarizer needs both its models: one without the other is a mistake, not a choice of diarizer. */
function checkDiarizationModels(values: ModelSourceVariables<DiarizationModelPrefix>): void {
  checkModelSource(values, 'DIARIZATION_SEGMENTATION_MODEL');
  checkModelSource(values, 'DIARIZATION_EMBEDDING_MODEL');
  const segmentation = modelSourceVariable(values, 'DIARIZATION_SEGMENTATION_MODEL');
  const embedding = modelSourceVariable(values, 'DIARIZATION_EMBEDDING_MODEL');
  if (segmentation !== undefined && embedding === undefined) throw missingDiarizationModel('DIARIZATION_EMBEDDING_MODEL', 'speaker-embedding', segmentation);
  if (embedding !== undefined && segmentation === undefined) throw missingDiarizationModel('DIARIZATION_SEGMENTATION_MODEL', 'segmentation', embedding);
}

function missingDiarizationModel(missing: DiarizationModelPrefix, what: string, given: string): ConfigError {
  return new ConfigError(
    `${missing}_URL`,
    `the neural diarizer needs a ${what} model too, as ${given} is set: set ${missing}_URL (or ${missing}_PATH for a local file), or unset ${given} for the default diarizer`,
  );
}
