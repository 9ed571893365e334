import { z } from 'zod';
import { recognizedWordSchema } from './transcription-job.js';

/** A worker's live endpoint, which the API server relays client streams to (16 kHz linear16 in). */
export const WORKER_STREAM_PATH = '/api/v1/lightning/get_text';

/** Text frames a client (and the API server, to a worker) may send besides audio. */
export const streamCommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('finalize') }),
  z.object({ type: z.literal('close_stream') }),
  z.object({ type: z.literal('keepalive') }),
]);
export type StreamCommand = z.infer<typeof streamCommandSchema>;

/**
 * What a worker reports on its live endpoint. Times are seconds from the client stream's start.
 * The API server turns these into the contract's client messages (punctuation, words on request).
 */
export const workerStreamEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('partial'), text: z.string(), start: z.number(), end: z.number() }),
  z.object({
    type: z.literal('final'),
    words: z.array(recognizedWordSchema),
    start: z.number(),
    end: z.number(),
    from_finalize: z.boolean(),
    is_last: z.boolean(),
  }),
  z.object({ type: z.literal('speech_started'), timestamp: z.number() }),
  z.object({ type: z.literal('speech_ended'), timestamp: z.number() }),
  z.object({ type: z.literal('error'), code: z.string(), message: z.string() }),
]);
export type WorkerStreamEvent = z.infer<typeof workerStreamEventSchema>;

/** WebSocket close codes of the contract. */
export const CLOSE_CODES = {
  normal: 1000,
  goingAway: 1001,
  policy: 1008,
  tooLarge: 1009,
  internalError: 1011,
  tryAgainLater: 1013,
} as const;
