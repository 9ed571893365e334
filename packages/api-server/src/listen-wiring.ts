import type { Redis } from 'ioredis';
import type { Logger, RedisKeys } from '@stt/shared';
import type { ApiServerConfig } from './config.js';
import type { HealthMonitor } from './health/health-monitor.js';
import type { ListenRouteOptions } from './routes/listen-routes.js';
import { BatchTranscriber } from './transcription/batch-transcriber.js';
import { CallbackDelivery } from './transcription/callback-delivery.js';
import { JobStore } from './transcription/job-store.js';
import { UsageLimiter } from './limits/usage-limiter.js';
import { UsageRecorder } from './usage/usage-recorder.js';
import type { TranscriptionQueue } from './transcription/transcription-queue.js';

/** The transcription routes' collaborators, built from configuration. */
export function listenRouteOptions(
  config: ApiServerConfig,
  queue: TranscriptionQueue,
  monitor: HealthMonitor,
  redis: Redis,
  keys: RedisKeys,
  logger: Logger,
): ListenRouteOptions {
  return {
    transcriber: new BatchTranscriber(
      queue,
      { maxSegmentSeconds: config.SEGMENT_MAX_S, minSegmentSeconds: config.SEGMENT_MIN_S, maxSegmentsInFlight: config.SEGMENTS_IN_FLIGHT },
      logger,
    ),
    queue,
    monitor,
    jobs: new JobStore(redis, keys, config.JOB_RESULT_TTL_S),
    limiter: new UsageLimiter(
      redis,
      keys,
      {
        ...(config.RATE_LIMIT_REQUESTS_PER_MINUTE !== undefined ? { requestsPerMinute: config.RATE_LIMIT_REQUESTS_PER_MINUTE } : {}),
        ...(config.RATE_LIMIT_CONCURRENT !== undefined ? { concurrentRequests: config.RATE_LIMIT_CONCURRENT } : {}),
        ...(config.AUDIO_HOURS_PER_DAY !== undefined ? { audioHoursPerDay: config.AUDIO_HOURS_PER_DAY } : {}),
      },
      Math.max(config.REQUEST_TIMEOUT_S, config.CALLBACK_JOB_TIMEOUT_S),
    ),
    callbacks: new CallbackDelivery(
      {
        maxRetries: config.CALLBACK_MAX_RETRIES,
        attemptTimeoutMs: config.CALLBACK_TIMEOUT_S * 1000,
        initialBackoffMs: config.CALLBACK_INITIAL_BACKOFF_MS,
        maxBackoffMs: 300_000,
        allowedHosts: config.URL_FETCH_ALLOWED_HOSTS,
      },
      logger,
    ),
    usage: new UsageRecorder(redis, keys, logger),
    logger,
    limits: {
      maxUploadBytes: config.MAX_UPLOAD_MB * 1024 * 1024,
      maxDurationSeconds: config.MAX_AUDIO_DURATION_S,
      requestTimeoutMs: config.REQUEST_TIMEOUT_S * 1000,
      callbackJobTimeoutMs: config.CALLBACK_JOB_TIMEOUT_S * 1000,
      maxQueuedSegments: config.QUEUE_MAX_SEGMENTS,
      urlFetchTimeoutMs: config.URL_FETCH_TIMEOUT_S * 1000,
      urlAllowedHosts: config.URL_FETCH_ALLOWED_HOSTS,
    },
    webhookSecret: config.WEBHOOK_SECRET,
  };
}
