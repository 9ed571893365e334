import { ApiError } from '@stt/shared';
import { REASONS } from '../health/component-report.js';

/** Seconds a refused client is told to wait for a worker: about one worker restart. */
export const WORKER_RETRY_AFTER_SECONDS = 30;

/** Seconds a client refused for Redis trouble is told to wait: a Redis restart takes about one. */
const REDIS_RETRY_AFTER_SECONDS = 5;

/** The refusal of work while the license proxy says the license is unusable. */
export function licenseUnavailable(): ApiError {
  return new ApiError('LICENSE_UNAVAILABLE', 'The license could not be validated.');
}

/** Work refused or abandoned because Redis, which holds the queue, does not answer. */
export function redisUnavailable(): ApiError {
  return new ApiError('SERVICE_UNAVAILABLE', REASONS.redisFailed, { retry_after: REDIS_RETRY_AFTER_SECONDS });
}
