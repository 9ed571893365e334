import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '@stt/shared';
import { LeaseLostError } from '../errors/lease-lost-error.js';
import { redisUnavailable } from '../errors/refusals.js';
import type { UsageSlot } from '../limits/usage-limiter.js';
import type { IngestedAudio } from './batch-transcriber.js';
import { isActive, type CallbackJobRecord } from './callback-job-record.js';
import type { CallbackJobRunner } from './callback-job-runner.js';
import type { CallbackJobStore } from './callback-job-store.js';
import type { ListenOptions } from './listen-options.js';

export interface CallbackJobsOptions {
  /** How long a job's lease outlives this server's last heartbeat; heartbeats come 4 times as often. */
  readonly leaseMs: number;
  /** A job's time limit from its acceptance. */
  readonly jobTimeoutMs: number;
}

/** What the route hands over once a callback request's audio is read and queued. */
export interface AcceptedCallbackJob {
  readonly jobId: string;
  readonly requestId: string;
  readonly slot: UsageSlot;
  readonly options: ListenOptions & { readonly callback_url: string };
  readonly features: readonly string[];
  readonly secret: string;
  readonly audio: IngestedAudio;
}

/**
 * Callback jobs from their 202 to their delivered webhook, shared by every API server replica:
 * each job lives in Redis under a lease its owner renews. A server that dies leaves its leases
 * to expire; every server sweeps the active jobs and takes over the ones nobody holds, so a job
 * survives its owner (and a restart of every owner) and ends exactly once.
 */
export class CallbackJobs {
  /** This process among the API servers; a restarted process is a new owner. */
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly running = new Map<string, AbortController>();
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly store: CallbackJobStore,
    private readonly runner: CallbackJobRunner,
    private readonly options: CallbackJobsOptions,
    private readonly logger: Logger,
  ) {}

  /** Starts renewing leases and sweeping for jobs nobody works on, this server's own included. */
  start(): void {
    void this.sweep();
    this.timers.push(
      setInterval(() => void this.heartbeat(), this.options.leaseMs / 4),
      setInterval(() => void this.sweep(), this.options.leaseMs / 2),
    );
  }

  /** Saves a new job (it survives this process from now on) and starts working on it. */
  async accept(job: AcceptedCallbackJob): Promise<void> {
    const now = Date.now();
    const record: CallbackJobRecord = {
      job_id: job.jobId,
      request_id: job.requestId,
      status: 'processing',
      created_at: new Date(now).toISOString(),
      license_id: job.slot.license_id,
      work: {
        model: job.audio.model,
        segment_offsets: job.audio.segments.map((segment) => segment.offsetSeconds),
        duration_seconds: job.audio.durationSeconds,
        options: {
          language: job.options.language,
          punctuate: job.options.punctuate,
          timestamps: job.options.timestamps,
          utterances: job.options.utterances,
          paragraphs: job.options.paragraphs,
          diarize: job.options.diarize,
          num_speakers: job.options.num_speakers,
          min_speakers: job.options.min_speakers,
          max_speakers: job.options.max_speakers,
        },
        features: [...job.features],
        callback_url: job.options.callback_url,
        secret: job.secret,
        deadline_at: now + this.options.jobTimeoutMs,
        slot: job.slot,
      },
    };
    await this.store.create(record, this.owner).catch(() => {
      throw redisUnavailable();
    });
    this.run(record);
  }

  /**
   * A job's record for `GET`. One that is active but held by nobody (its owner died since the
   * last sweep) is taken over now, so "processing" always means someone is working on it.
   */
  async get(jobId: string): Promise<CallbackJobRecord | undefined> {
    const record = await this.store.get(jobId);
    if (record !== undefined && isActive(record) && !this.running.has(jobId)) await this.adopt(jobId);
    return record;
  }

  /** Stops working on every job and gives up their leases, so other servers take them at once. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    const jobIds = [...this.running.keys()];
    for (const controller of this.running.values()) controller.abort(new Error('shutting down'));
    await Promise.all(jobIds.map((jobId) => this.store.release(jobId, this.owner).catch(() => undefined)));
  }

  private run(record: CallbackJobRecord): void {
    const controller = new AbortController();
    this.running.set(record.job_id, controller);
    void this.runner
      .run(record, this.owner, controller.signal)
      .catch((error: unknown) => {
        if (controller.signal.aborted || error instanceof LeaseLostError) return;
        // Left active: the next sweep (here or elsewhere) takes it up again once the lease expires.
        this.logger.error({ err: error, request_id: record.request_id, job_id: record.job_id }, 'Callback job interrupted');
      })
      .finally(() => this.running.delete(record.job_id));
  }

  /** Takes over a job nobody holds; does nothing if someone does. */
  private async adopt(jobId: string): Promise<void> {
    if (this.running.has(jobId) || !(await this.store.claim(jobId, this.owner))) return;
    const record = await this.store.get(jobId);
    if (record === undefined || !isActive(record)) {
      await this.store.forget(jobId);
      return;
    }
    this.logger.info({ request_id: record.request_id, job_id: jobId, status: record.status }, 'Resuming callback job');
    this.run(record);
  }

  private async sweep(): Promise<void> {
    try {
      for (const jobId of await this.store.activeIds()) await this.adopt(jobId);
    } catch (error) {
      // Redis is down: the health probe says so; the next sweep tries again.
      this.logger.debug({ err: error }, 'Callback job sweep failed');
    }
  }

  private async heartbeat(): Promise<void> {
    if (this.running.size === 0) return;
    try {
      for (const jobId of await this.store.renew([...this.running.keys()], this.owner)) {
        this.logger.warn({ job_id: jobId }, 'Callback job taken over by another API server; leaving it');
        this.running.get(jobId)?.abort(new LeaseLostError(jobId));
      }
    } catch (error) {
      this.logger.debug({ err: error }, 'Callback job heartbeat failed');
    }
  }
}
