import type { Redis } from 'ioredis';
import type { Logger, RedisKeys } from '@stt/shared';
import type { ApiServerConfig } from './config.js';
import type { HealthMonitor } from './health/health-monitor.js';
import type { RequestOutcomes } from './health/request-outcomes.js';
import { WorkerRegistry } from './asr/worker-registry.js';
import type { ListenRouteOptions } from './routes/listen-routes.js';
import type { StreamRouteOptions } from './routes/stream-routes.js';
import { LiveSessions } from './streaming/live-sessions.js';
import type { StreamLatency } from './streaming/stream-latency.js';
import { StreamWorkerPicker } from './streaming/stream-worker-picker.js';
import { SpeakerDiarizer } from './diarization/speaker-diarizer.js';
import { BatchTranscriber } from './transcription/batch-transcriber.js';
import { CallbackDelivery } from './transcription/callback-delivery.js';
import { CallbackJobRunner } from './transcription/callback-job-runner.js';
import { CallbackJobStore } from './transcription/callback-job-store.js';
import { CallbackJobs } from './transcription/callback-jobs.js';
import { UsageLimiter } from './limits/usage-limiter.js';
import { UsageRecorder } from './usage/usage-recorder.js';
import type { TranscriptionQueue } from './transcription/transcription-queue.js';
import type { ModelCatalog } from './asr/model-catalog.js';

/** What the API server has built before its routes. */
export interface RouteDependencies {
  readonly config: ApiServerConfig;
  readonly queue: TranscriptionQueue;
  /** The models the workers serve, as the ASR probe last saw them. */
  readonly catalog: ModelCatalog;
  readonly monitor: HealthMonitor;
  readonly outcomes: RequestOutcomes;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly logger: Logger;
  /** The live routes record each transcription message's latency here (`/metrics`). */
  readonly streamLatency: StreamLatency;
}

/**
 * The collaborators of the batch and the live transcription routes, built from configuration;
 * both share one limiter and one usage recorder.
 */
export function routeOptions(dependencies: RouteDependencies): {
  listen: ListenRouteOptions;
  stream: StreamRouteOptions;
  callbackJobs: CallbackJobs;
  /** Shared by the batch routes and callback jobs; its thread is closed on shutdown. */
  diarizer: SpeakerDiarizer;
} {
  const { config, monitor, catalog, outcomes, redis, keys, logger, streamLatency } = dependencies;
  const limiter = new UsageLimiter(
    redis,
    keys,
    {
      ...(config.RATE_LIMIT_REQUESTS_PER_MINUTE !== undefined ? { requestsPerMinute: config.RATE_LIMIT_REQUESTS_PER_MINUTE } : {}),
      ...(config.RATE_LIMIT_CONCURRENT !== undefined ? { concurrentRequests: config.RATE_LIMIT_CONCURRENT } : {}),
      ...(config.AUDIO_HOURS_PER_DAY !== undefined ? { audioHoursPerDay: config.AUDIO_HOURS_PER_DAY } : {}),
    },
    Math.max(config.REQUEST_TIMEOUT_S, config.CALLBACK_JOB_TIMEOUT_S, config.STREAM_MAX_DURATION_S),
  );
  const usage = new UsageRecorder(redis, keys, logger);
  const stream: StreamRouteOptions = {
    monitor,
    catalog,
    outcomes,
    workers: new StreamWorkerPicker(new WorkerRegistry(redis, keys), config.LIGHTNING_ASR_STREAMING_BASE_URL),
    sessions: new LiveSessions(),
    limiter,
    usage,
    logger,
    idleTimeoutMs: config.STREAM_IDLE_TIMEOUT_S * 1000,
    maxDurationMs: config.STREAM_MAX_DURATION_S * 1000,
    maxBufferedBytes: config.STREAM_MAX_BUFFER_KB * 1024,
    maxFrameBytes: config.STREAM_MAX_FRAME_KB * 1024,
    latency: streamLatency,
  };
  const diarizer = new SpeakerDiarizer(logger);
  const callbackJobs = newCallbackJobs(dependencies, limiter, diarizer);
  return { listen: listenRouteOptions(dependencies, { limiter, usage, callbackJobs, diarizer }), stream, callbackJobs, diarizer };
}

/** Callback jobs kept in Redis, finished by whichever API server holds them. */
function newCallbackJobs(dependencies: RouteDependencies, limiter: UsageLimiter, diarizer: SpeakerDiarizer): CallbackJobs {
  const { config, queue, outcomes, redis, keys, logger } = dependencies;
  const delivery = new CallbackDelivery({
    maxRetries: config.CALLBACK_MAX_RETRIES,
    attemptTimeoutMs: config.CALLBACK_TIMEOUT_S * 1000,
    initialBackoffMs: config.CALLBACK_INITIAL_BACKOFF_MS,
    maxBackoffMs: 300_000,
    allowedHosts: config.URL_FETCH_ALLOWED_HOSTS,
  });
  const store = new CallbackJobStore(redis, keys, {
    leaseMs: config.CALLBACK_JOB_LEASE_MS,
    resultTtlSeconds: config.JOB_RESULT_TTL_S,
    activeTtlSeconds: config.CALLBACK_JOB_TIMEOUT_S + Math.ceil(delivery.maxSpanMs / 1000) + config.JOB_RESULT_TTL_S,
  });
  const runner = new CallbackJobRunner(store, queue, delivery, limiter, outcomes, diarizer, logger);
  return new CallbackJobs(store, runner, { leaseMs: config.CALLBACK_JOB_LEASE_MS, jobTimeoutMs: config.CALLBACK_JOB_TIMEOUT_S * 1000 }, logger);
}

function listenRouteOptions(
  dependencies: RouteDependencies,
  shared: Pick<ListenRouteOptions, 'limiter' | 'usage' | 'callbackJobs' | 'diarizer'>,
): ListenRouteOptions {
  const { config, queue, catalog, monitor, outcomes, logger } = dependencies;
  return {
    ...shared,
    transcriber: new BatchTranscriber(
      queue,
      {
        maxSegmentSeconds: config.SEGMENT_MAX_S,
        minSegmentSeconds: config.SEGMENT_MIN_S,
        maxSegmentsInFlight: config.SEGMENTS_IN_FLIGHT,
        redisOutageMs: config.REDIS_OUTAGE_GRACE_S * 1000,
      },
      logger,
    ),
    queue,
    catalog,
    monitor,
    outcomes,
    logger,
    limits: {
      maxUploadBytes: config.MAX_UPLOAD_MB * 1024 * 1024,
      maxDurationSeconds: config.MAX_AUDIO_DURATION_S,
      requestTimeoutMs: config.REQUEST_TIMEOUT_S * 1000,
      maxQueuedSegments: config.QUEUE_MAX_SEGMENTS,
      urlFetchTimeoutMs: config.URL_FETCH_TIMEOUT_S * 1000,
      urlAllowedHosts: config.URL_FETCH_ALLOWED_HOSTS,
    },
    webhookSecret: config.WEBHOOK_SECRET,
  };
}
