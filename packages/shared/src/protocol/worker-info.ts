import { z } from 'zod';

/**
 * What an ASR worker publishes in the Redis registry on every heartbeat. The API server reads it
 * to decide ASR health and, later, where to send work.
 */
export const workerInfoSchema = z.object({
  id: z.string().min(1),
  address: z.string().url(),
  /** Process id on its host, for operators matching an entry to a process. */
  pid: z.number().int().positive(),
  engine: z.string(),
  /** The model clients name with the `model` option; its batch segments come from its own queue. */
  model: z.string(),
  /** Language codes the model transcribes (`en` from a worker that predates the field). */
  languages: z.array(z.string()).default(['en']),
  /** `native`: interim words as audio comes; `vad-chunked`: utterances cut by a voice-activity model. */
  streaming: z.enum(['native', 'vad-chunked']).default('native'),
  word_timestamps: z.boolean().default(true),
  /** The GPU it decodes on; null on the CPU. */
  gpu: z.string().nullable().default(null),
  capacity: z.number().int().nonnegative(),
  /** Live streams it can hold at once (0 from a worker that predates streaming). */
  stream_capacity: z.number().int().nonnegative().default(0),
  active_requests: z.number().int().nonnegative(),
  active_streams: z.number().int().nonnegative(),
  status: z.enum(['ready', 'unhealthy', 'draining']),
  /** Why the worker is not ready (its failed self-test, say); absent when ready. */
  reason: z.string().optional(),
  self_test_at: z.iso.datetime().nullable(),
  heartbeat_at: z.iso.datetime(),
  started_at: z.iso.datetime(),
});

export type WorkerInfo = z.infer<typeof workerInfoSchema>;
