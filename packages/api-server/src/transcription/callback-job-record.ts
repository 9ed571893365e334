import { z } from 'zod';

const callbackStateSchema = z.object({
  status: z.enum(['pending', 'delivered', 'failed']),
  /** Sent as `X-Delivery-Id` on every attempt, so a receiver can drop a duplicate. */
  delivery_id: z.string(),
  attempts: z.number().int().nonnegative(),
  /** Epoch milliseconds of the next attempt while pending. */
  next_attempt_at: z.number(),
  last_error: z.string().optional(),
});

/**
 * A callback job as it is kept in Redis from its 202 on: what `GET /v1/listen/{job_id}` shows,
 * and in `work` what any API server needs to finish it should the one that accepted it die.
 */
export const callbackJobRecordSchema = z.object({
  job_id: z.string(),
  request_id: z.string(),
  status: z.enum(['processing', 'completed', 'failed']),
  created_at: z.string(),
  completed_at: z.string().optional(),
  result: z.record(z.string(), z.unknown()).optional(),
  error: z.record(z.string(), z.unknown()).optional(),
  /** Only the license that submitted a job may read it. */
  license_id: z.string(),
  work: z.object({
    /** The model whose queue holds the segments (a job from before models were chosen used PocketSphinx's). */
    model: z.string().default('en-us'),
    /** Where each queued segment starts in the audio; the segments' PCM stays in Redis until the job ends. */
    segment_offsets: z.array(z.number().nonnegative()),
    duration_seconds: z.number().nonnegative(),
    options: z.object({
      language: z.string(),
      punctuate: z.boolean(),
      timestamps: z.boolean(),
      // Absent from jobs accepted before these options existed.
      utterances: z.boolean().default(false),
      paragraphs: z.boolean().default(false),
      diarize: z.boolean().default(false),
      num_speakers: z.number().int().optional(),
      min_speakers: z.number().int().optional(),
      max_speakers: z.number().int().optional(),
    }),
    features: z.array(z.string()),
    callback_url: z.string(),
    /** HMAC key of the webhook's signature (the caller's license key unless WEBHOOK_SECRET is set). */
    secret: z.string(),
    /** Epoch milliseconds past which the transcription fails with REQUEST_TIMEOUT. */
    deadline_at: z.number(),
    slot: z.object({ license_id: z.string(), member: z.string(), day: z.string() }),
  }),
  /** The webhook, once the outcome is known. */
  callback: callbackStateSchema.optional(),
});

export type CallbackJobRecord = z.infer<typeof callbackJobRecordSchema>;

/** Whether someone still has to work on the job: transcribe it, or deliver its webhook. */
export function isActive(record: CallbackJobRecord): boolean {
  return record.status === 'processing' || record.callback?.status === 'pending';
}

/** What the job's owner may see of it: no secret, no internals. */
export function visibleJob(record: CallbackJobRecord): Record<string, unknown> {
  const { work: _work, license_id: _license, callback, ...visible } = record;
  return { ...visible, ...(callback !== undefined ? { callback: { status: callback.status, attempts: callback.attempts } } : {}) };
}

/** The webhook's body: the same bytes whoever sends it, however often. */
export function webhookBody(record: CallbackJobRecord): string {
  return JSON.stringify(
    record.status === 'completed'
      ? { job_id: record.job_id, status: record.status, result: record.result }
      : { job_id: record.job_id, status: record.status, error: record.error },
  );
}
