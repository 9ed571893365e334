import { z } from 'zod';
import { LICENSE_REFUSALS } from '@stt/shared';

/**
 * What the proxy knows from the license server about its key, persisted so that a restarted
 * proxy (or another replica) resumes the grace period where it was instead of starting a new one.
 */
export const validationRecordSchema = z.object({
  /** `valid` until the license server refuses the key; a refusal ends any grace at once. */
  verdict: z.enum(['valid', 'refused']),
  refusal: z.enum(LICENSE_REFUSALS).nullable(),
  /** When the license server last answered. The grace period runs from here. */
  validated_at: z.iso.datetime(),
  /** Set by the first failed attempt after that answer, cleared by the next answer. */
  unreachable_since: z.iso.datetime().nullable(),
});

export type ValidationRecord = z.infer<typeof validationRecordSchema>;
