import { z } from 'zod';

/**
 * A JSON object read as a Map. Maps because keys are the callers' strings (license ids, batch
 * ids, feature names): a plain object would treat `__proto__` as its prototype. Read through
 * `Object.entries`, so no key is dropped either.
 */
const mapOf = <T extends z.ZodType>(value: T) =>
  z.preprocess(
    (json) => (typeof json === 'object' && json !== null && !Array.isArray(json) ? new Map(Object.entries(json)) : json),
    z.map(z.string(), value),
  );

const count = z.number().int().nonnegative();

const licenseUsageSchema = z.object({
  requests: count,
  audio_seconds: z.number().nonnegative(),
  by_status: mapOf(count),
  by_feature: mapOf(count),
  by_kind: mapOf(count),
  /** Batches that counted at least one event of this license. */
  batches: count,
  request_ids: z.array(z.string()),
});

/** Everything the license server knows, as kept in DATA_FILE (docs/license-server.md). */
export const licenseServerStateSchema = z.object({
  version: z.literal(1),
  revoked: mapOf(z.object({ revoked_at: z.iso.datetime() })),
  /** Every batch id ever counted: the idempotency record. */
  batches: mapOf(z.object({ counted_at: z.iso.datetime(), events: count })),
  /** Deliveries of an already counted batch, over all licenses (a duplicate counts nothing, so names none). */
  duplicate_batches: count,
  usage: mapOf(licenseUsageSchema),
});

export type LicenseServerState = z.output<typeof licenseServerStateSchema>;
export type LicenseUsage = z.output<typeof licenseUsageSchema>;

export function emptyLicenseServerState(): LicenseServerState {
  return { version: 1, revoked: new Map(), batches: new Map(), duplicate_batches: 0, usage: new Map() };
}

export function emptyLicenseUsage(): LicenseUsage {
  return { requests: 0, audio_seconds: 0, by_status: new Map(), by_feature: new Map(), by_kind: new Map(), batches: 0, request_ids: [] };
}

/** The state as DATA_FILE holds it: every Map written as a JSON object. */
export function serializeLicenseServerState(state: LicenseServerState): string {
  return `${JSON.stringify(state, (_key, value: unknown) => (value instanceof Map ? Object.fromEntries(value) : value), 2)}\n`;
}
