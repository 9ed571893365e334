import { z } from 'zod';

/**
 * What a worker learns about who speaks in its segment of a `diarize=true` request. Labels are
 * given where the whole file is known (the API server, over every segment), so a speaker keeps
 * one label across segments decoded by different workers. Times are seconds in the request's audio.
 */

/**
 * The default diarizer's evidence: speech cut into short blocks, each with the sufficient
 * statistics of its MFCC frames (count, sum, upper triangle of the sum of outer products): the
 * server whitens each block's mean by the covariance of every frame of the recording, summed
 * from them, and clusters the means.
 */
export const featureBlockSchema = z.object({
  start: z.number().nonnegative(),
  end: z.number().nonnegative(),
  frames: z.number().int().positive(),
  sum: z.array(z.number()),
  scatter: z.array(z.number()),
});

/**
 * A neural diarizer's evidence: speaker turns found within the segment, with a speaker embedding
 * of each local speaker; the server links local speakers across segments by those embeddings.
 */
export const embeddedTurnSchema = z.object({
  start: z.number().nonnegative(),
  end: z.number().nonnegative(),
  /** The segment's own label for the speaker (0, 1, …); the same label is the same speaker. */
  local_speaker: z.number().int().nonnegative(),
  embedding: z.array(z.number()),
});

export const speakerEvidenceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('feature-blocks'), dimensions: z.number().int().positive(), blocks: z.array(featureBlockSchema) }),
  z.object({ kind: z.literal('embedded-turns'), turns: z.array(embeddedTurnSchema) }),
]);

export type FeatureBlock = z.infer<typeof featureBlockSchema>;
export type EmbeddedTurn = z.infer<typeof embeddedTurnSchema>;
export type SpeakerEvidence = z.infer<typeof speakerEvidenceSchema>;
