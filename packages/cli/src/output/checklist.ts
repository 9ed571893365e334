import type { Check, CheckStatus } from '../doctor/check.js';
import { styledStatus } from './status-style.js';

const MARKS: Readonly<Record<CheckStatus, string>> = { pass: '[ok]  ', warn: '[warn]', fail: '[FAIL]', skip: '[skip]' };

/** The doctor's checklist: one mark and title per check, what was seen, and the fix under each problem. */
export function renderChecklist(url: string, checks: readonly Check[], tty: boolean = process.stdout.isTTY === true): string {
  const lines = [`stt doctor: ${url}`, ''];
  for (const check of checks) {
    lines.push(`${tty ? styledStatus(check.status, tty).replace(check.status, MARKS[check.status]) : MARKS[check.status]} ${check.title}`);
    for (const detail of check.detail ?? []) lines.push(`         ${detail}`);
    if (check.fix !== undefined && check.status !== 'pass') lines.push(`         fix: ${check.fix}`);
  }
  const problems = checks.filter((check) => check.status === 'fail');
  const warnings = checks.filter((check) => check.status === 'warn');
  lines.push('', problems.length === 0 ? `No problems found${warnings.length > 0 ? ` (${warnings.length} warning${warnings.length > 1 ? 's' : ''})` : ''}.` : `${problems.length} problem${problems.length > 1 ? 's' : ''}: ${problems.map((check) => check.title).join(', ')}`);
  return `${lines.join('\n')}\n`;
}
