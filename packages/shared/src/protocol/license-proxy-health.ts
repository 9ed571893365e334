import { z } from 'zod';

/** Body of the license proxy's `GET /health` (200 when the license is usable, 503 otherwise). */
export const licenseProxyHealthSchema = z.object({
  status: z.enum(['healthy', 'unhealthy']),
  license_valid: z.boolean(),
  valid_until: z.iso.datetime().nullable(),
  grace_period_active: z.boolean(),
  reason: z.string().optional(),
});

export type LicenseProxyHealth = z.infer<typeof licenseProxyHealthSchema>;
