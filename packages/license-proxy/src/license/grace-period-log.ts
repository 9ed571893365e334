import type { Logger } from '@stt/shared';
import type { GraceStatus } from './license-state.js';

const HOUR_MS = 3_600_000;

/**
 * The documented log lines of a grace period, each at its moment: on activation, at every whole
 * hour left, one hour before the end, and at the end. Milestones are logged once each.
 */
export class GracePeriodLog {
  /** Whole hours left (rounded up) when last logged; undefined outside a grace period. */
  private loggedHours: number | undefined;
  private expiredLogged = false;

  constructor(private readonly logger: Logger) {}

  /** Logs the milestones `grace` has reached since the last call (undefined: no grace period). */
  update(grace: GraceStatus | undefined): void {
    if (grace === undefined) {
      this.loggedHours = undefined;
      this.expiredLogged = false;
      return;
    }
    const fields = { grace_period_ends_at: grace.endsAt.toISOString(), grace_period_remaining_seconds: Math.round(grace.remainingMs / 1000) };
    if (grace.remainingMs === 0) {
      if (this.expiredLogged) return;
      this.expiredLogged = true;
      this.logger.error(fields, 'Grace period expired');
      this.logger.fatal('Service will stop accepting requests');
      return;
    }
    const hours = Math.ceil(grace.remainingMs / HOUR_MS);
    if (this.loggedHours === undefined) {
      this.logger.warn(fields, 'Grace period activated');
      this.logger.info('Using cached validation');
    }
    if (hours === this.loggedHours) return;
    this.loggedHours = hours;
    if (hours === 1) this.logger.warn(fields, 'Grace period expires in 1 hour');
    else this.logger.info(fields, `Grace period active (${hours}h remaining)`);
  }

  /** Milliseconds until the next milestone of `grace`, so a scheduler can wake for it. */
  static untilNextMilestoneMs(grace: GraceStatus | undefined): number | undefined {
    if (grace === undefined || grace.remainingMs === 0) return undefined;
    return grace.remainingMs % HOUR_MS || HOUR_MS;
  }
}
