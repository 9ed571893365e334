import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** deploy/prometheus: the alert rules, their unit tests and the example configuration. */
export const PROMETHEUS_DIR = fileURLToPath(new URL('../../deploy/prometheus/', import.meta.url));

export function prometheusFile(name: string): string {
  return readFileSync(`${PROMETHEUS_DIR}${name}`, 'utf8');
}

export interface PromtoolResult {
  readonly code: number;
  /** stdout and stderr together, for the assertion messages. */
  readonly output: string;
}

/** Runs Debian's promtool (from the `prometheus` package) and resolves with its exit code and output. */
export function promtool(...args: string[]): Promise<PromtoolResult> {
  return new Promise((resolve, reject) => {
    execFile('promtool', args, { cwd: PROMETHEUS_DIR }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== 'number') reject(error);
      else resolve({ code: error === null ? 0 : Number(error.code), output: `${stdout}${stderr}` });
    });
  });
}

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
}

/**
 * The alerts of a rule file, read line by line: `- alert: Name`, then its one-line `expr:`. The
 * caller checks the count against promtool's, so a rule written otherwise cannot slip past.
 */
export function alertRules(text: string): AlertRule[] {
  const rules: AlertRule[] = [];
  let alert: string | undefined;
  for (const line of text.split('\n')) {
    const name = /^\s*- alert:\s*(\S+)\s*$/.exec(line)?.[1];
    const expr = /^\s*expr:\s*(.+?)\s*$/.exec(line)?.[1];
    if (name !== undefined) alert = name;
    if (expr !== undefined && alert !== undefined) {
      rules.push({ alert, expr });
      alert = undefined;
    }
  }
  return rules;
}

export interface ScrapeJob {
  readonly job: string;
  readonly path: string;
  /** Host names of its static targets (`api-server` of `api-server:7100`). */
  readonly hosts: readonly string[];
  readonly authorized: boolean;
}

/** The scrape jobs of a configuration, read line by line (`job_name`, `metrics_path`, `targets`, `authorization`). */
export function scrapeJobs(text: string): ScrapeJob[] {
  const jobs: { job: string; path: string; hosts: string[]; authorized: boolean }[] = [];
  const unquote = (value: string): string => value.trim().replace(/^'(.*)'$|^"(.*)"$/, '$1$2');
  for (const line of text.split('\n')) {
    const job = /^\s*- job_name:\s*(.+)$/.exec(line)?.[1];
    if (job !== undefined) jobs.push({ job: unquote(job), path: '/metrics', hosts: [], authorized: false });
    const current = jobs.at(-1);
    if (current === undefined) continue;
    const path = /^\s*metrics_path:\s*(.+)$/.exec(line)?.[1];
    if (path !== undefined) current.path = unquote(path);
    const targets = /^\s*- targets:\s*\[(.*)\]\s*$/.exec(line)?.[1];
    if (targets !== undefined) current.hosts.push(...targets.split(',').map((target) => unquote(target).split(':')[0]!));
    if (/^\s*authorization:\s*$/.test(line)) current.authorized = true;
  }
  return jobs;
}
