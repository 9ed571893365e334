import { ApiError } from '@stt/shared';
import { licenseUnavailable, redisUnavailable, WORKER_RETRY_AFTER_SECONDS } from '../errors/refusals.js';
import { REASONS } from '../health/component-report.js';
import type { HealthMonitor } from '../health/health-monitor.js';
import type { TranscriptionQueue } from '../transcription/transcription-queue.js';

/**
 * Refuses new work (a request or a stream) at once when it could not be done: Redis or the
 * license unusable, or no ready worker.
 */
export function assertComponentsServing(monitor: HealthMonitor): void {
  const { components } = monitor.snapshot;
  if (components.redis.status === 'unhealthy') throw redisUnavailable();
  // Only a license the proxy says is unusable stops work; a proxy that is merely unreachable
  // does not (keys are verified here by signature, and a proxy restart must not fail requests).
  if (components.license_proxy.reason === REASONS.licenseInvalid) throw licenseUnavailable();
  if (components.lightning_asr.status === 'unhealthy') {
    throw new ApiError('SERVICE_UNAVAILABLE', REASONS.noWorkers, { retry_after: WORKER_RETRY_AFTER_SECONDS });
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
    throw redisUnavailable();
  });
  if (waiting >= maxQueuedSegments) {
    throw new ApiError('SERVICE_UNAVAILABLE', 'The transcription queue is full.', { retry_after: WORKER_RETRY_AFTER_SECONDS });
  }
}
