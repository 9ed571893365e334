import type { Redis } from 'ioredis';
import { ApiError, type LicenseClaims, type Logger, type RedisKeys } from '@stt/shared';

/** Per-key limits; each defaults to the key's own and can be overridden by configuration. */
export interface UsageLimits {
  readonly requestsPerMinute: number;
  readonly concurrentRequests: number;
  readonly audioHoursPerDay: number;
}

export type LimitOverrides = Partial<UsageLimits>;

/**
 * A slot taken by an admitted request; release it when the request ends, with the audio it used.
 * Plain data, so a callback job can keep it in Redis and another API server release it.
 */
export interface UsageSlot {
  readonly license_id: string;
  /** The request's entry among the key's running requests. */
  readonly member: string;
  /** The UTC day (`YYYY-MM-DD`) its audio counts against. */
  readonly day: string;
}

/**
 * Limits per license key, shared by every API server replica through Redis: requests per minute
 * (fixed one-minute windows), requests at once (a sorted set of live request ids, so a crashed
 * replica's entries age out instead of leaking), and audio hours per UTC day.
 */
export class UsageLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly overrides: LimitOverrides,
    /** An entry older than this no longer counts as running (the longest a request may take). */
    private readonly maxRequestSeconds: number,
    private readonly clock: () => number = Date.now,
  ) {}

  limitsFor(claims: LicenseClaims): UsageLimits {
    return {
      requestsPerMinute: this.overrides.requestsPerMinute ?? claims.limits.requests_per_minute,
      concurrentRequests: this.overrides.concurrentRequests ?? claims.limits.concurrent_requests,
      audioHoursPerDay: this.overrides.audioHoursPerDay ?? claims.limits.audio_hours_per_day,
    };
  }

  /** Admits one request of `claims`'s key, or throws 429 RATE_LIMIT_EXCEEDED / 403 QUOTA_EXCEEDED. */
  async admit(claims: LicenseClaims, requestId: string): Promise<UsageSlot> {
    const limits = this.limitsFor(claims);
    const now = this.clock();
    const minute = Math.floor(now / 60_000);
    const day = new Date(now).toISOString().slice(0, 10);
    const id = claims.license_id;
    const running = this.keys.limit(id, 'running');
    const member = `${requestId}:${now}:${Math.random().toString(36).slice(2)}`;

    const [usedSeconds, count] = await Promise.all([
      this.redis.get(this.keys.limit(id, `audio:${day}`)),
      this.redis
        .multi()
        .incr(this.keys.limit(id, `minute:${minute}`))
        .expire(this.keys.limit(id, `minute:${minute}`), 120)
        .exec(),
    ]);
    const secondsToMidnight = Math.ceil((Date.parse(`${day}T00:00:00Z`) + 86_400_000 - now) / 1000);
    if (Number(usedSeconds ?? 0) >= limits.audioHoursPerDay * 3600) {
      throw new ApiError('QUOTA_EXCEEDED', `The daily quota of ${limits.audioHoursPerDay} audio hours is used up.`, {
        retry_after: secondsToMidnight,
      });
    }
    const inMinute = Number(count?.[0]?.[1] ?? 0);
    if (inMinute > limits.requestsPerMinute) {
      throw new ApiError('RATE_LIMIT_EXCEEDED', `Rate limit exceeded: ${limits.requestsPerMinute} requests per minute.`, {
        retry_after: Math.max(1, Math.ceil(((minute + 1) * 60_000 - now) / 1000)),
      });
    }
    const [, , added] =
      (await this.redis
        .multi()
        .zremrangebyscore(running, 0, now - this.maxRequestSeconds * 1000)
        .zadd(running, now, member)
        .zcard(running)
        .expire(running, this.maxRequestSeconds)
        .exec()) ?? [];
    if (Number(added?.[1] ?? 0) > limits.concurrentRequests) {
      await this.redis.zrem(running, member);
      throw new ApiError('RATE_LIMIT_EXCEEDED', `Rate limit exceeded: ${limits.concurrentRequests} requests at once.`, {
        retry_after: 1,
      });
    }
    return { license_id: id, member, day };
  }

  /**
   * Frees `slot` and counts `audioSeconds` against its key's daily quota. Never rejects: a request
   * is not failed for its bookkeeping (the slot ages out on its own; the miss is logged).
   */
  async release(slot: UsageSlot, audioSeconds: number, log: Pick<Logger, 'error'>): Promise<void> {
    await this.releaseOrThrow(slot, audioSeconds).catch((error: unknown) => log.error({ err: error }, 'Could not record usage against the limits'));
  }

  private async releaseOrThrow(slot: UsageSlot, audioSeconds: number): Promise<void> {
    const multi = this.redis.multi().zrem(this.keys.limit(slot.license_id, 'running'), slot.member);
    if (audioSeconds > 0) {
      const audioKey = this.keys.limit(slot.license_id, `audio:${slot.day}`);
      multi.incrbyfloat(audioKey, audioSeconds).expire(audioKey, 2 * 86_400);
    }
    await multi.exec();
  }
}
