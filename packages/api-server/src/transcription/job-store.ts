import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { RedisKeys } from '@stt/shared';

const jobRecordSchema = z.object({
  job_id: z.string(),
  request_id: z.string(),
  status: z.enum(['processing', 'completed', 'failed']),
  created_at: z.string(),
  completed_at: z.string().optional(),
  result: z.record(z.string(), z.unknown()).optional(),
  error: z.record(z.string(), z.unknown()).optional(),
  /** Only the license that submitted a job may read it. */
  license_id: z.string(),
});

export type JobRecord = z.infer<typeof jobRecordSchema>;

/**
 * Status and result of callback jobs, for `GET /v1/listen/{job_id}`. Kept in Redis (so any API
 * server replica answers) for `ttlSeconds` after the last change, then gone.
 */
export class JobStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly ttlSeconds: number,
  ) {}

  async save(record: JobRecord): Promise<void> {
    await this.redis.set(this.keys.job(record.job_id), JSON.stringify(record), 'EX', this.ttlSeconds);
  }

  async get(jobId: string): Promise<JobRecord | undefined> {
    const text = await this.redis.get(this.keys.job(jobId));
    if (text === null) return undefined;
    const parsed = jobRecordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  }
}
