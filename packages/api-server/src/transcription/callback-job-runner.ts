import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { ApiError, type Logger } from '@stt/shared';
import type { SpeakerDiarizer } from '../diarization/speaker-diarizer.js';
import { LeaseLostError } from '../errors/lease-lost-error.js';
import type { RequestOutcomes } from '../health/request-outcomes.js';
import type { UsageLimiter } from '../limits/usage-limiter.js';
import { usageEvent } from '../usage/usage-recording.js';
import { joinSegments } from './batch-transcript.js';
import { toClientError } from './batch-transcriber.js';
import type { CallbackDelivery } from './callback-delivery.js';
import { webhookBody, type CallbackJobRecord } from './callback-job-record.js';
import type { CallbackJobStore } from './callback-job-store.js';
import { listenResponse } from './listen-response.js';
import type { TranscriptionQueue } from './transcription-queue.js';

/**
 * Takes one callback job, held under `owner`'s lease, from wherever its record says it is to its
 * end: waits for its segments (submitting again from the stored audio any that Redis lost),
 * records the outcome with its usage, frees its limits and audio, then delivers the webhook on a
 * schedule kept in the record. Each step is saved before the next, so whoever resumes the job
 * after a crash starts from the last saved step; a webhook may then be sent twice, with the same
 * delivery id.
 */
export class CallbackJobRunner {
  constructor(
    private readonly store: CallbackJobStore,
    private readonly queue: TranscriptionQueue,
    private readonly delivery: CallbackDelivery,
    private readonly limiter: UsageLimiter,
    /** The job's end counts among the requests the API server's health judges, here where it ends. */
    private readonly outcomes: RequestOutcomes,
    private readonly diarizer: SpeakerDiarizer,
    private readonly logger: Logger,
  ) {}

  /** Rejects with the signal's reason when stopped (shutdown, lease lost), or LeaseLostError. */
  async run(record: CallbackJobRecord, owner: string, signal: AbortSignal): Promise<void> {
    const finished = record.status === 'processing' ? await this.transcribe(record, owner, signal) : record;
    if (finished.callback?.status === 'pending') await this.deliver(finished, owner, signal);
  }

  private async transcribe(record: CallbackJobRecord, owner: string, signal: AbortSignal): Promise<CallbackJobRecord> {
    const { work } = record;
    const id = record.job_id;
    const log = this.logger.child({ request_id: record.request_id, job_id: id });
    const overdue = new AbortController();
    const limitSeconds = Math.round((work.deadline_at - Date.parse(record.created_at)) / 1000);
    const timer = setTimeout(
      () => overdue.abort(new ApiError('REQUEST_TIMEOUT', `Transcription took longer than ${limitSeconds} s.`)),
      Math.max(0, work.deadline_at - Date.now()),
    );
    const stop = AbortSignal.any([signal, overdue.signal]);
    let result: Record<string, unknown> | undefined;
    let failure: ApiError | undefined;
    let audioSeconds = 0;
    try {
      const results = await Promise.all(
        work.segment_offsets.map((offsetSeconds, index) =>
          this.queue.result(
            { model: work.model, diarize: work.options.diarize, transcriptionId: id, requestId: record.request_id, index, offsetSeconds },
            { source: () => this.queue.storedAudio(id, index), signal: stop },
          ),
        ),
      );
      const transcript = await this.diarizer.label(joinSegments(results, work.duration_seconds), work.options, record.request_id);
      audioSeconds = transcript.durationSeconds;
      result = { ...listenResponse(record.request_id, transcript, work.options, Date.now() - Date.parse(record.created_at)) };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      failure = overdue.signal.aborted ? (overdue.signal.reason as ApiError) : toClientError(error, record.request_id, log);
      await this.queue.cancel(work.model, id, work.segment_offsets.length).catch(() => undefined);
    } finally {
      clearTimeout(timer);
    }

    const finished: CallbackJobRecord = {
      ...record,
      ...(failure === undefined ? { status: 'completed', result } : { status: 'failed', error: failure.toBody(record.request_id) }),
      completed_at: new Date().toISOString(),
      callback: { status: 'pending', delivery_id: `dlv_${randomUUID().replaceAll('-', '')}`, attempts: 0, next_attempt_at: Date.now() },
    };
    const usage = usageEvent(
      record.request_id,
      record.license_id,
      { kind: 'batch', audioSeconds, features: work.features, deferred: true },
      failure?.statusCode ?? 200,
    );
    if (!(await this.store.update(finished, owner, usage))) throw new LeaseLostError(id);
    this.outcomes.record(failure?.statusCode ?? 200);
    log.info({ status: finished.status, audio_seconds: audioSeconds }, 'Callback job transcribed');
    await this.limiter.release(work.slot, audioSeconds, log);
    await this.queue.release(work.model, id, work.segment_offsets.length).catch((error: unknown) => {
      log.error({ err: error }, 'Could not delete stored audio; it expires on its own');
    });
    return finished;
  }

  private async deliver(record: CallbackJobRecord, owner: string, signal: AbortSignal): Promise<void> {
    const log = this.logger.child({ request_id: record.request_id, job_id: record.job_id });
    let callback = record.callback!;
    const webhook = {
      url: record.work.callback_url,
      body: webhookBody(record),
      secret: record.work.secret,
      jobId: record.job_id,
      deliveryId: callback.delivery_id,
      requestId: record.request_id,
    };
    while (callback.status === 'pending') {
      await delay(Math.max(0, callback.next_attempt_at - Date.now()), undefined, { signal });
      const attempt = callback.attempts + 1;
      const outcome = await this.delivery.attempt(webhook, attempt);
      if (outcome === true) {
        callback = { ...callback, status: 'delivered', attempts: attempt };
        log.info({ attempt, delivery_id: callback.delivery_id }, 'Callback delivered');
      } else if (this.delivery.retriesLeft(attempt)) {
        callback = { ...callback, attempts: attempt, next_attempt_at: Date.now() + this.delivery.backoffMs(attempt), last_error: outcome };
        log.warn({ attempt, outcome }, 'Callback attempt failed');
      } else {
        callback = { ...callback, status: 'failed', attempts: attempt, last_error: outcome };
        log.error({ attempts: attempt, outcome }, 'Callback not delivered; giving up');
      }
      if (!(await this.store.update({ ...record, callback }, owner))) throw new LeaseLostError(record.job_id);
    }
  }
}
