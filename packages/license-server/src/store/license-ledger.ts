import type { UsageBatch, UsageBatchAck, UsageEvent } from '@stt/shared';
import { emptyLicenseUsage, type LicenseServerState, type LicenseUsage } from './license-server-state.js';

/** `GET /v1/admin/usage/:license_id`: one license's totals (zeros for a license never seen). */
export interface LicenseUsageReport {
  readonly license_id: string;
  readonly requests: number;
  readonly audio_seconds: number;
  readonly by_status: Record<string, number>;
  readonly by_feature: Record<string, number>;
  readonly by_kind: Record<string, number>;
  readonly batches: number;
  /** Over all licenses: a duplicate delivery counts nothing, so it names no license. */
  readonly duplicate_batches: number;
  readonly request_ids: readonly string[];
}

/**
 * The server's whole state (revocations, usage totals, counted batch ids) and the only way to
 * change it. Changes run one at a time, each on a copy that becomes current only once it is in
 * DATA_FILE: concurrent retries of one batch cannot both count, and an answer is never given
 * for a change that a crash could lose.
 */
export class LicenseLedger {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private state: LicenseServerState,
    private readonly persist: (state: LicenseServerState) => Promise<void>,
  ) {}

  isRevoked(licenseId: string): boolean {
    return this.state.revoked.has(licenseId);
  }

  /** Counts every event of a batch not counted before; a known batch id counts nothing. */
  countBatch(batch: UsageBatch, now: Date): Promise<UsageBatchAck> {
    return this.commit((state) => {
      if (state.batches.has(batch.batch_id)) {
        state.duplicate_batches += 1;
        return { batch_id: batch.batch_id, accepted: 0, duplicate: true };
      }
      state.batches.set(batch.batch_id, { counted_at: now.toISOString(), events: batch.events.length });
      for (const event of batch.events) countEvent(usageOf(state, event.license_id), event);
      for (const licenseId of new Set(batch.events.map((event) => event.license_id))) usageOf(state, licenseId).batches += 1;
      return { batch_id: batch.batch_id, accepted: batch.events.length, duplicate: false };
    });
  }

  setRevoked(licenseId: string, revoked: boolean, now: Date): Promise<void> {
    return this.commit((state) => {
      if (!revoked) state.revoked.delete(licenseId);
      else if (!state.revoked.has(licenseId)) state.revoked.set(licenseId, { revoked_at: now.toISOString() });
    });
  }

  usageReport(licenseId: string): LicenseUsageReport {
    const usage = this.state.usage.get(licenseId) ?? emptyLicenseUsage();
    return {
      license_id: licenseId,
      requests: usage.requests,
      audio_seconds: usage.audio_seconds,
      by_status: Object.fromEntries(usage.by_status),
      by_feature: Object.fromEntries(usage.by_feature),
      by_kind: Object.fromEntries(usage.by_kind),
      batches: usage.batches,
      duplicate_batches: this.state.duplicate_batches,
      request_ids: usage.request_ids,
    };
  }

  /** Counts of what the state holds, for the start-up log. */
  summary(): { licenses: number; batches: number; revoked: number } {
    return { licenses: this.state.usage.size, batches: this.state.batches.size, revoked: this.state.revoked.size };
  }

  /** Applies `change` to a copy, persists the copy, then makes it current; one change at a time. */
  private commit<T>(change: (state: LicenseServerState) => T): Promise<T> {
    const run = this.tail.then(async () => {
      const next = structuredClone(this.state);
      const result = change(next);
      await this.persist(next);
      this.state = next;
      return result;
    });
    // A failed change is answered to its caller; the next one still runs.
    this.tail = run.catch(() => undefined);
    return run;
  }
}

function usageOf(state: LicenseServerState, licenseId: string): LicenseUsage {
  let usage = state.usage.get(licenseId);
  if (usage === undefined) {
    usage = emptyLicenseUsage();
    state.usage.set(licenseId, usage);
  }
  return usage;
}

function countEvent(usage: LicenseUsage, event: UsageEvent): void {
  usage.requests += 1;
  usage.audio_seconds += event.audio_seconds;
  increment(usage.by_status, String(event.status));
  for (const feature of event.features) increment(usage.by_feature, feature);
  increment(usage.by_kind, event.kind);
  usage.request_ids.push(event.request_id);
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
