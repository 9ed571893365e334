import { ApiError } from '@stt/shared';
import { REASONS } from '../health/component-report.js';
import type { HealthMonitor } from '../health/health-monitor.js';
import type { TranscriptionQueue } from '../transcription/transcription-queue.js';

/** Seconds a refused client is told to wait: about one worker restart. */
const RETRY_AFTER_SECONDS = 30;

/** The refusal of work while the license proxy says the license is unusable. */
export function licenseUnavailable(): ApiError {
  return new ApiError('LICENSE_UNAVAILABLE', 'The license could not be validated.');
}

/**
 * Refuses new work (a request or a stream) at once when it could not be done: Redis or the
 * license unusable, or no ready worker.
 */
export function assertComponentsServing(monitor: HealthMonitor): void {
  const { components } = monitor.snapshot;
  if (components.redis.status === 'unhealthy') {
    throw new ApiError('SERVICE_UNAVAILABLE', 'Redis connection failed', { retry_after: RETRY_AFTER_SECONDS });
  }
  // Only a license the proxy says is unusable stops work; a proxy that is merely unreachable
  // does not (keys are verified here by signature, and a proxy restart must not fail requests).
  if (components.license_proxy.reason === REASONS.licenseInvalid) throw licenseUnavailable();
  if (components.lightning_asr.status === 'unhealthy') {
    throw new ApiError('SERVICE_UNAVAILABLE', 'No ASR workers available', { retry_after: RETRY_AFTER_SECONDS });
  }
}

/**
 * Refuses a transcription request before reading any audio when it could not be done: the
 * components above, or the queue past its bound.
 */
export async function assertAcceptingWork(monitor: HealthMonitor, queue: TranscriptionQueue, maxQueuedSegments: number): Promise<void> {
  assertComponentsServing(monitor);
  const waiting = await queue.waiting().catch(() => {
    // Redis went away since the last health probe.
    throw new ApiError('SERVICE_UNAVAILABLE', 'Redis connection failed', { retry_after: RETRY_AFTER_SECONDS });
  });
  if (waiting >= maxQueuedSegments) {
    throw new ApiError('SERVICE_UNAVAILABLE', 'The transcription queue is full.', { retry_after: RETRY_AFTER_SECONDS });
  }
}
