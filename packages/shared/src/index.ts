export { ConfigError } from './config/config-error.js';
export { env, parseEnv, type Env } from './config/env.js';
export { REDIS_VARIABLES, redisUrlFromEnv } from './config/redis-url.js';
export { ApiError, type ErrorExtra } from './errors/api-error.js';
export { ERROR_STATUS, type ErrorCode } from './errors/error-code.js';
export { bearerCredential } from './http/bearer-credential.js';
export { createHttpServer, type RawRequestHandler } from './http/create-http-server.js';
export { renderErrorsAs, type ErrorBodyRenderer } from './http/error-envelope.js';
export { isAddressInUse, listenOn, portInUse, type ListenTarget } from './http/listen.js';
export { livenessBody, registerLivenessRoute, uptimeSeconds } from './http/liveness-route.js';
export { registerMetricsRoute } from './http/metrics-route.js';
export { newRequestId, requestIdFrom } from './http/request-id.js';
export { licenseClaimsSchema, type LicenseClaims } from './license/license-claims.js';
export {
  checkLicenseKey,
  encodePublicKey,
  LICENSE_KEY_PREFIX,
  parsePublicKeys,
  type LicenseCheck,
} from './license/license-key.js';
export { createLogger, LOG_LEVELS, type LogLevel, type Logger } from './logging/logger.js';
export { licenseProxyHealthSchema, type LicenseProxyHealth } from './protocol/license-proxy-health.js';
export {
  LICENSE_REFUSALS,
  USAGE_BATCH_MAX_EVENTS,
  usageBatchAckSchema,
  usageBatchSchema,
  validationAcceptedSchema,
  validationRefusedSchema,
  type LicenseRefusal,
  type UsageBatch,
  type UsageBatchAck,
  type ValidationAccepted,
} from './protocol/license-server-api.js';
export { usageEventSchema, type UsageEvent } from './protocol/usage-event.js';
export {
  recognizedWordSchema,
  transcriptionQueueName,
  transcriptionJobResultSchema,
  transcriptionJobSchema,
  type RecognizedWord,
  type TranscriptionJob,
  type TranscriptionJobResult,
} from './protocol/transcription-job.js';
export {
  embeddedTurnSchema,
  featureBlockSchema,
  speakerEvidenceSchema,
  type EmbeddedTurn,
  type FeatureBlock,
  type SpeakerEvidence,
} from './protocol/speaker-evidence.js';
export { parseJsonAs } from './protocol/parse-json.js';
export { frameBytes } from './protocol/frame-bytes.js';
export { ENGINE_SAMPLE_RATE, Int16Assembler, pcmFromBytes, pcmToBytes } from './protocol/pcm-bytes.js';
export {
  CLOSE_CODES,
  streamCommandSchema,
  WORKER_STREAM_PATH,
  workerStreamEventSchema,
  type StreamCommand,
  type WorkerStreamEvent,
} from './protocol/stream-messages.js';
export { booleanOption } from './protocol/boolean-option.js';
export {
  STREAM_ENCODINGS,
  streamQuerySchema,
  workerStreamQuerySchema,
  type StreamEncoding,
  type StreamQuery,
  type WorkerStreamQuery,
} from './protocol/stream-options.js';
export { workerInfoSchema, type WorkerInfo } from './protocol/worker-info.js';
export { EXIT_CONFIG, onShutdownSignal, runMain } from './process/run-main.js';
export { closeWithin } from './process/close-within.js';
export { siblingModulePath } from './process/sibling-module.js';
export { createRedis, queueConnectionOptions, redisReady } from './redis/client.js';
export { RedisKeys } from './redis/keys.js';
export { appendUsageEvent, USAGE_EVENT_FIELD } from './redis/usage-events.js';
export { VERSION } from './version.js';
