import { z } from 'zod';

/**
 * Body of the license proxy's `GET /health`: 200 while the license is usable (`healthy`, or
 * `degraded` during the grace period), 503 otherwise. Fields after `grace_period_active` default
 * to null so an older proxy still parses.
 */
export const licenseProxyHealthSchema = z.object({
  status: z.enum(['healthy', 'degraded', 'unhealthy']),
  license_valid: z.boolean(),
  valid_until: z.iso.datetime().nullable(),
  grace_period_active: z.boolean(),
  /** When serving on the cached validation stops; set while the license server is unreachable. */
  grace_period_ends_at: z.iso.datetime().nullable().default(null),
  grace_period_remaining_seconds: z.number().nonnegative().nullable().default(null),
  /** When the license server last answered; null without one (offline) or before its first answer. */
  last_validated_at: z.iso.datetime().nullable().default(null),
  license_server: z.enum(['not_configured', 'reachable', 'unreachable']).default('not_configured'),
  reason: z.string().optional(),
});

export type LicenseProxyHealth = z.output<typeof licenseProxyHealthSchema>;
