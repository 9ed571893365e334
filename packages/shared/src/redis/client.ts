import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logging/logger.js';

/**
 * An ioredis client that fails fast instead of queueing commands while disconnected, and keeps
 * reconnecting forever with capped backoff, so a Redis restart heals without restarting us.
 * Connection changes are logged once each, not once per reconnect attempt.
 */
export function createRedis(url: string, logger: Logger, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 1000,
    commandTimeout: 1000,
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 1000),
    ...options,
  });
  let connected = false;
  redis.on('ready', () => {
    connected = true;
    logger.info('Connected to Redis');
  });
  redis.on('error', (error: Error) => {
    if (connected) logger.warn({ err: error.message }, 'Redis connection failed');
    connected = false;
  });
  return redis;
}

/**
 * Connection options for BullMQ, which then owns its connections (and closes them with the queue).
 * Its commands must wait through reconnects rather than fail, or its blocking reads would error
 * on every Redis blip.
 */
export function queueConnectionOptions(url: string) {
  return {
    url,
    maxRetriesPerRequest: null,
    connectTimeout: 1000,
    retryStrategy: (attempt: number) => Math.min(100 * 2 ** attempt, 1000),
  };
}

/** Resolves true once the client is ready, or false after `timeoutMs`; never rejects. */
export function redisReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    const onReady = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    redis.once('ready', onReady);
  });
}
