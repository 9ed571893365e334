export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** One line of the doctor's checklist: what was checked, what was seen, and what to do about it. */
export interface Check {
  readonly title: string;
  readonly status: CheckStatus;
  readonly detail?: readonly string[];
  readonly fix?: string;
}
