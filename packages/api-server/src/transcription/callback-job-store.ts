import type { Redis } from 'ioredis';
import { parseJsonAs, USAGE_EVENT_FIELD, type RedisKeys, type UsageEvent } from '@stt/shared';
import { callbackJobRecordSchema, isActive, type CallbackJobRecord } from './callback-job-record.js';

export interface CallbackJobStoreOptions {
  /** How long a lease outlives its owner's last heartbeat. */
  readonly leaseMs: number;
  /** How long an ended job stays readable. */
  readonly resultTtlSeconds: number;
  /** Backstop expiry of an active job's record, should every API server be gone for good. */
  readonly activeTtlSeconds: number;
}

/** Writes the record only while the caller holds the lease; ends the job when told; appends a usage event with it. */
const UPDATE_IF_OWNER = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
if ARGV[5] ~= '' then redis.call('XADD', KEYS[4], '*', ARGV[6], ARGV[5]) end
if ARGV[4] == '1' then
  redis.call('SREM', KEYS[3], ARGV[7])
  redis.call('DEL', KEYS[1])
end
return 1`;

/** Extends the lease if it is ours, takes it again if it vanished (a Redis restart), else reports it lost. */
const RENEW = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if holder == false then return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) and 1 or 0 end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Callback jobs in Redis: the record, the set of jobs not yet ended, and a lease per job naming
 * the API server working on it. Every change a worker of the job makes is conditional on holding
 * the lease, so an owner that lost it (paused past its expiry) can never overwrite the one that
 * took the job over, and a job's usage is recorded exactly once, with its outcome.
 */
export class CallbackJobStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly options: CallbackJobStoreOptions,
  ) {}

  /** Saves a new job, active and leased to `owner`. */
  async create(record: CallbackJobRecord, owner: string): Promise<void> {
    await this.redis
      .multi()
      .set(this.keys.job(record.job_id), JSON.stringify(record), 'EX', this.options.activeTtlSeconds)
      .sadd(this.keys.activeJobs, record.job_id)
      .set(this.keys.jobLease(record.job_id), owner, 'PX', this.options.leaseMs)
      .exec();
  }

  async get(jobId: string): Promise<CallbackJobRecord | undefined> {
    const text = await this.redis.get(this.keys.job(jobId));
    return text === null ? undefined : parseJsonAs(callbackJobRecordSchema, text);
  }

  /**
   * Saves `record` if `owner` still holds the job's lease, with `usage` appended in the same step.
   * A record that is no longer active ends the job: out of the active set, lease dropped.
   * Resolves false when the lease was lost.
   */
  async update(record: CallbackJobRecord, owner: string, usage?: UsageEvent): Promise<boolean> {
    const active = isActive(record);
    const saved = await this.redis.eval(
      UPDATE_IF_OWNER,
      4,
      this.keys.jobLease(record.job_id),
      this.keys.job(record.job_id),
      this.keys.activeJobs,
      this.keys.usageEvents,
      owner,
      JSON.stringify(record),
      active ? this.options.activeTtlSeconds : this.options.resultTtlSeconds,
      active ? '0' : '1',
      usage !== undefined ? JSON.stringify(usage) : '',
      USAGE_EVENT_FIELD,
      record.job_id,
    );
    return saved === 1;
  }

  /** Takes the lease of a job nobody holds; resolves whether `owner` got it. */
  async claim(jobId: string, owner: string): Promise<boolean> {
    return (await this.redis.set(this.keys.jobLease(jobId), owner, 'PX', this.options.leaseMs, 'NX')) === 'OK';
  }

  /** Renews `owner`'s leases; resolves with the ids whose lease another API server holds now. */
  async renew(jobIds: readonly string[], owner: string): Promise<string[]> {
    const renewed = await Promise.all(
      jobIds.map((jobId) => this.redis.eval(RENEW, 1, this.keys.jobLease(jobId), owner, this.options.leaseMs)),
    );
    return jobIds.filter((_jobId, index) => renewed[index] !== 1);
  }

  /** Gives up `owner`'s lease (shutting down), so another API server takes the job at once. */
  async release(jobId: string, owner: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.keys.jobLease(jobId), owner);
  }

  /** Ids of the jobs not yet ended, by any API server. */
  activeIds(): Promise<string[]> {
    return this.redis.smembers(this.keys.activeJobs);
  }

  /** Drops an active job whose record is gone (expired, or lost with Redis's data). */
  async forget(jobId: string): Promise<void> {
    await this.redis.multi().srem(this.keys.activeJobs, jobId).del(this.keys.jobLease(jobId)).exec();
  }
}
