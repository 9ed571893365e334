import { z } from 'zod';
import { booleanOption } from './boolean-option.js';

export const STREAM_ENCODINGS = ['linear16', 'mulaw', 'alaw'] as const;
export type StreamEncoding = (typeof STREAM_ENCODINGS)[number];

/** Options a live stream shares with its worker: how utterances are found and what is reported. */
const sessionShape = {
  interim_results: booleanOption.default(true),
  endpointing: booleanOption.default(true),
  eou_timeout_ms: z.coerce.number().int().min(100).max(10_000).default(800),
  vad_events: booleanOption.default(false),
};

/** The query of `/v1/listen/stream` (the contract's "Streaming" section). */
export const streamQuerySchema = z.object({
  language: z.string().trim().toLowerCase().default('en'),
  /** A model the workers serve; unset: the best one for the language. */
  model: z.string().trim().min(1).max(200).optional(),
  encoding: z.enum(STREAM_ENCODINGS).default('linear16'),
  sample_rate: z.coerce.number().int().min(8000).max(48_000).default(16_000),
  punctuate: booleanOption.default(true),
  word_timestamps: booleanOption.default(false),
  ...sessionShape,
});

/** The query of a worker's live endpoint: audio is always 16 kHz linear16 there. */
export const workerStreamQuerySchema = z.object({
  ...sessionShape,
  /** Seconds of the client's stream before this worker's first sample (a session moved here). */
  offset_s: z.coerce.number().min(0).default(0),
});

export type StreamQuery = z.output<typeof streamQuerySchema>;
export type WorkerStreamQuery = z.output<typeof workerStreamQuerySchema>;
