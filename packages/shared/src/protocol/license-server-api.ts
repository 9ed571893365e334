import { z } from 'zod';
import { usageEventSchema } from './usage-event.js';

/**
 * The protocol between the license proxy and the vendor's license server (docs/license-server.md).
 * Every call carries `Authorization: Bearer <license key>`.
 */

/** `POST /v1/licenses/validate` → 200 with this body when the key is good. */
export const validationAcceptedSchema = z.object({
  valid: z.literal(true),
  license_id: z.string().min(1),
  customer: z.string(),
  expires_at: z.iso.datetime(),
  checked_at: z.iso.datetime(),
});

/** Why the license server refuses a key: 401 (not ours) or 403 (revoked, expired). */
export const LICENSE_REFUSALS = ['INVALID_LICENSE', 'LICENSE_REVOKED', 'LICENSE_EXPIRED'] as const;
export type LicenseRefusal = (typeof LICENSE_REFUSALS)[number];

/** The error body of a refused validation (the stack's usual envelope). */
export const validationRefusedSchema = z.object({
  error: z.string(),
  code: z.enum(LICENSE_REFUSALS),
});

/**
 * `POST /v1/usage` with header `Idempotency-Key: <batch_id>`: at most 1000 events. A batch id
 * the server has already counted is acknowledged again (200, `duplicate: true`) and not counted.
 */
export const USAGE_BATCH_MAX_EVENTS = 1000;

export const usageBatchSchema = z.object({
  batch_id: z.string().min(1).max(128),
  events: z.array(usageEventSchema).min(1).max(USAGE_BATCH_MAX_EVENTS),
});

export const usageBatchAckSchema = z.object({
  batch_id: z.string(),
  accepted: z.number().int().nonnegative(),
  duplicate: z.boolean(),
});

export type ValidationAccepted = z.infer<typeof validationAcceptedSchema>;
export type UsageBatch = z.infer<typeof usageBatchSchema>;
export type UsageBatchAck = z.infer<typeof usageBatchAckSchema>;
