/**
 * Every Redis key the stack uses, in one place. A prefix lets several stacks share one Redis.
 */
export class RedisKeys {
  constructor(readonly prefix = 'stt') {}

  /** Set of ids of workers that have registered (entries may be stale; the worker key decides). */
  get workerIndex(): string {
    return `${this.prefix}:asr:workers`;
  }

  /** JSON WorkerInfo of one worker, with a TTL refreshed by its heartbeat. */
  worker(id: string): string {
    return `${this.prefix}:asr:worker:${id}`;
  }

  /** Set of the models segments have been queued for: whose queues the depth sums, workers or not. */
  get queuedModels(): string {
    return `${this.prefix}:asr:queued-models`;
  }

  /** Prefix of BullMQ's own keys for our queues. */
  get queuePrefix(): string {
    return `${this.prefix}:bull`;
  }

  /** PCM of one segment of a transcription, deleted when it ends (TTL as a backstop). */
  audio(transcriptionId: string, segment: number): string {
    return `${this.prefix}:audio:${transcriptionId}:${segment}`;
  }

  /** Set while a transcription is cancelled, so workers skip its segments not yet decoded. */
  cancelled(transcriptionId: string): string {
    return `${this.prefix}:cancelled:${transcriptionId}`;
  }

  /** A per-license usage counter (`minute:<n>`, `running`, `audio:<day>`). */
  limit(licenseId: string, counter: string): string {
    return `${this.prefix}:limit:${licenseId}:${counter}`;
  }

  /** Stream of usage events (one `event` field of JSON each), from the API servers to the proxy. */
  get usageEvents(): string {
    return `${this.prefix}:usage:events`;
  }

  /** JSON of the usage batch being reported: kept, with its id, until the license server acks it. */
  get usageBatch(): string {
    return `${this.prefix}:usage:batch`;
  }

  /** JSON of the license server's last verdict on one license key (by the key's fingerprint). */
  licenseValidation(keyFingerprint: string): string {
    return `${this.prefix}:license:validation:${keyFingerprint}`;
  }

  /** A callback job: its status and result for `GET /v1/listen/{job_id}`, and what resuming it needs. */
  job(jobId: string): string {
    return `${this.prefix}:job:${jobId}`;
  }

  /** The id of the API server working on a callback job, with a TTL its heartbeat renews. */
  jobLease(jobId: string): string {
    return `${this.prefix}:job:${jobId}:lease`;
  }

  /** Set of ids of callback jobs not yet ended (transcribing, or their webhook not yet delivered). */
  get activeJobs(): string {
    return `${this.prefix}:jobs:active`;
  }
}
