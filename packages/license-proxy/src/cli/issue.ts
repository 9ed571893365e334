import { readFileSync } from 'node:fs';
import { issueLicenseKey } from '../license/issue-license-key.js';

export interface IssueArgs {
  readonly signingKeyFile: string;
  readonly customer: string;
  readonly validDays: number;
  readonly features?: readonly string[];
  readonly requestsPerMinute?: number;
  readonly concurrentRequests?: number;
  readonly audioHoursPerDay?: number;
}

/** Prints a new license key signed with the private key in `signingKeyFile`. */
export function issue(args: IssueArgs): void {
  const key = issueLicenseKey(readFileSync(args.signingKeyFile, 'utf8'), {
    customer: args.customer,
    validDays: args.validDays,
    ...(args.features ? { features: args.features } : {}),
    limits: {
      ...(args.requestsPerMinute ? { requests_per_minute: args.requestsPerMinute } : {}),
      ...(args.concurrentRequests ? { concurrent_requests: args.concurrentRequests } : {}),
      ...(args.audioHoursPerDay ? { audio_hours_per_day: args.audioHoursPerDay } : {}),
    },
  });
  process.stdout.write(`${key}\n`);
}
