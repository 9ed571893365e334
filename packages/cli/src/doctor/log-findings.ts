import { readFileSync } from 'node:fs';

/** A warning or error that repeats in the logs: where, how often, and when last. */
export interface LogFinding {
  readonly service: string;
  readonly level: string;
  readonly msg: string;
  readonly count: number;
  readonly lastTime: string | undefined;
}

const NOTABLE = new Set(['warn', 'error', 'fatal', '40', '50', '60']);

/**
 * The warnings and errors of the services' JSON log lines in `paths` (`-`: standard input, e.g.
 * `kubectl logs -l app=api-server | stt doctor --logs -`), grouped by service and message, most
 * recent first. Lines that are not JSON are skipped.
 */
export function logFindings(paths: readonly string[]): LogFinding[] {
  const groups = new Map<string, { service: string; level: string; msg: string; count: number; lastTime: string | undefined; order: number }>();
  let order = 0;
  for (const path of paths) {
    for (const line of readFileSync(path === '-' ? 0 : path, 'utf8').split('\n')) {
      const entry = jsonLine(line);
      if (entry === undefined || !NOTABLE.has(String(entry.level))) continue;
      const service = typeof entry.service === 'string' ? entry.service : 'unknown';
      const msg = typeof entry.msg === 'string' ? entry.msg : '(no message)';
      const key = `${service}\n${msg}`;
      const group = groups.get(key) ?? { service, level: levelName(entry.level), msg, count: 0, lastTime: undefined, order: 0 };
      group.count++;
      group.order = order++;
      if (typeof entry.time === 'string') group.lastTime = entry.time;
      groups.set(key, group);
    }
  }
  return [...groups.values()].sort((a, b) => b.order - a.order).map(({ order: _order, ...finding }) => finding);
}

function jsonLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function levelName(level: unknown): string {
  return ({ 40: 'warn', 50: 'error', 60: 'fatal' } as Record<string, string>)[String(level)] ?? String(level);
}
