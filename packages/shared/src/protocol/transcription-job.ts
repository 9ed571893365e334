import { z } from 'zod';
import { speakerEvidenceSchema } from './speaker-evidence.js';

/**
 * The BullMQ queue that carries batch segments for one model from API servers to the workers
 * that serve it (a worker pulls only its own model's queue). Segment PCM is 16-bit signed
 * little-endian mono at `ENGINE_SAMPLE_RATE`.
 */
export function transcriptionQueueName(model: string): string {
  // BullMQ keeps ':' for its own key structure.
  return `transcription.${model.replace(/[^A-Za-z0-9._-]/g, '_')}`;
}

/** One segment of one request: its audio sits in Redis under `audio_key` until the request ends. */
export const transcriptionJobSchema = z.object({
  /** The transcription this segment belongs to; unique, unlike a client's request id. */
  transcription_id: z.string().min(1),
  /** For log lines only. */
  request_id: z.string().min(1),
  audio_key: z.string().min(1),
  /** Where this segment starts in the request's audio; word times are shifted by it. */
  offset_seconds: z.number().nonnegative(),
  /** Also gather speaker evidence (`speaker_evidence` in the result) for diarization. */
  diarize: z.boolean().default(false),
});

export type TranscriptionJob = z.infer<typeof transcriptionJobSchema>;

export const recognizedWordSchema = z.object({
  word: z.string(),
  start: z.number(),
  end: z.number(),
  confidence: z.number().min(0).max(1),
});

export const transcriptionJobResultSchema = z.object({
  words: z.array(recognizedWordSchema),
  duration_seconds: z.number().nonnegative(),
  decode_ms: z.number().nonnegative(),
  worker_id: z.string(),
  engine: z.string(),
  model: z.string(),
  /** Present when the job asked for `diarize`. */
  speaker_evidence: speakerEvidenceSchema.optional(),
});

export type TranscriptionJobResult = z.infer<typeof transcriptionJobResultSchema>;
export type RecognizedWord = z.infer<typeof recognizedWordSchema>;
