import { z } from 'zod';

/**
 * What the API server records for one finished request or stream, for the license server's
 * billing: never audio, text or client addresses.
 */
export const usageEventSchema = z.object({
  /** The request's id, so the vendor and the operator can talk about the same request. */
  request_id: z.string().min(1).max(128),
  license_id: z.string().min(1),
  kind: z.enum(['batch', 'stream']),
  audio_seconds: z.number().nonnegative(),
  /** Options the request used, by name (`punctuation`, `word_timestamps`, `callback`, …). */
  features: z.array(z.string()),
  /** The HTTP status the client was answered with (a stream: 101 when it ran, or its refusal). */
  status: z.number().int().min(100).max(599),
  /** When the request finished. */
  at: z.iso.datetime(),
});

export type UsageEvent = z.infer<typeof usageEventSchema>;
