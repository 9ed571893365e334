import { STATUS_CODES } from 'node:http';
import type { Logger } from '@stt/shared';
import type { ProxyMetrics } from '../metrics.js';
import type { LicenseServerClient, ValidationOutcome } from '../upstream/license-server-client.js';
import { GracePeriodLog } from './grace-period-log.js';
import { NOT_YET_VALIDATED, type LicenseState } from './license-state.js';
import type { ValidationRecord } from './validation-record.js';
import type { ValidationStore } from './validation-store.js';

/**
 * Validates the license with the license server, one attempt per call, and keeps the state and
 * its persisted record up to date: an answer replaces the record; no answer starts (or continues)
 * the grace period on the last good one. Logs each change once, in the documented words.
 */
export class LicenseValidator {
  private readonly graceLog: GracePeriodLog;
  private noCacheLogged = false;

  constructor(
    private readonly state: LicenseState,
    private readonly client: LicenseServerClient,
    private readonly store: ValidationStore,
    private readonly metrics: ProxyMetrics,
    private readonly logger: Logger,
  ) {
    this.graceLog = new GracePeriodLog(logger);
  }

  /** Loads the persisted record, so a restarted proxy resumes a grace period instead of starting one. */
  async restore(): Promise<void> {
    try {
      this.state.validation = await this.store.load();
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not read the cached license validation from Redis');
    }
  }

  /** One attempt; resolves with what the license server did (it never rejects). */
  async validate(): Promise<ValidationOutcome['kind']> {
    const outcome = await this.client.validate();
    const previous = this.state.validation;
    const next = this.nextRecord(previous, outcome);
    if (next !== undefined && next !== previous) {
      this.state.validation = next;
      await this.store.save(next).catch((error: unknown) => this.logger.error({ err: error }, 'Could not persist the license validation in Redis'));
    }
    this.graceLog.update(this.state.grace());
    return outcome.kind;
  }

  /** Milliseconds until the grace period's next logged milestone, if one is running. */
  untilNextMilestoneMs(): number | undefined {
    return GracePeriodLog.untilNextMilestoneMs(this.state.grace());
  }

  private nextRecord(previous: ValidationRecord | undefined, outcome: ValidationOutcome): ValidationRecord | undefined {
    const now = this.state.clock().toISOString();
    switch (outcome.kind) {
      case 'accepted': {
        const { validation } = outcome;
        if (previous?.verdict === 'valid' && previous.unreachable_since === null) {
          this.logger.debug('License revalidated');
        } else {
          this.logger.info({ license_id: validation.license_id, customer: validation.customer }, 'License validated successfully');
          this.logger.info(`License valid until: ${validation.expires_at}`);
          if (previous?.unreachable_since != null) this.logger.info('Grace period ended: license server reachable again');
        }
        this.noCacheLogged = false;
        return { verdict: 'valid', refusal: null, validated_at: now, unreachable_since: null };
      }
      case 'refused': {
        this.metrics.validationFailures.inc({ reason: 'refused' });
        if (previous?.verdict !== 'refused' || previous.refusal !== outcome.code) {
          this.logger.error({ code: outcome.code }, `License validation failed: ${outcome.message}`);
          this.logger.error(`License server returned ${outcome.status} ${STATUS_CODES[outcome.status] ?? ''}`.trim());
          this.logger.fatal('Service will stop accepting requests');
        }
        return { verdict: 'refused', refusal: outcome.code, validated_at: now, unreachable_since: null };
      }
      case 'unreachable': {
        this.metrics.validationFailures.inc({ reason: 'unreachable' });
        this.logger.warn({ detail: outcome.detail }, 'Connection to license server failed');
        if (outcome.timedOut) this.logger.warn(outcome.detail);
        if (previous === undefined) {
          if (!this.noCacheLogged) this.logger.fatal(NOT_YET_VALIDATED);
          this.noCacheLogged = true;
          return undefined;
        }
        return previous.unreachable_since === null ? { ...previous, unreachable_since: now } : previous;
      }
    }
  }
}
