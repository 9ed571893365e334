import { z } from 'zod';

/** What a license key says about its holder. Signed as JSON; the signature covers these bytes. */
export const licenseClaimsSchema = z.object({
  v: z.literal(1),
  license_id: z.string().min(1),
  customer: z.string().min(1),
  issued_at: z.iso.datetime(),
  expires_at: z.iso.datetime(),
  features: z.array(z.string()),
  limits: z.object({
    requests_per_minute: z.number().int().positive(),
    concurrent_requests: z.number().int().positive(),
    audio_hours_per_day: z.number().positive(),
  }),
});

export type LicenseClaims = z.infer<typeof licenseClaimsSchema>;
