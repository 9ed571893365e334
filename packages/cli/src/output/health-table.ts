import type { ComponentName, DetailedHealth, HealthDetails } from '@stt/client';
import { styledStatus } from './status-style.js';
import { table } from './table.js';

const COMPONENT_ORDER: readonly ComponentName[] = ['api_server', 'lightning_asr', 'license_proxy', 'redis'];

/** `stt health`: the verdict, a row per component with its numbers, and a row per model with its workers. */
export function renderHealth(url: string, health: DetailedHealth): string {
  const lines = [`${url}  ${styledStatus(health.status)}  (version ${health.version}, up ${health.uptime_seconds} s)`];
  if (health.reason !== undefined) lines.push(`reason: ${health.reason}`);
  lines.push('', table([['COMPONENT', 'STATUS', 'DETAILS'], ...COMPONENT_ORDER.map((name) => [name, styledStatus(health.components[name]), componentSummary(name, health.details)])]));
  const models = health.details.lightning_asr.models ?? [];
  lines.push('', table([
    ['MODEL', 'ENGINE', 'LANGUAGES', 'WORKERS LIVE', 'WORKERS READY'],
    ...models.map((model) => [model.model, model.engine, model.languages.join(','), String(model.workers_live), String(model.workers_ready)]),
  ]));
  if (models.length === 0) lines.push('(no workers registered)');
  return `${lines.join('\n')}\n`;
}

/** One line of a component's numbers. */
export function componentSummary(name: ComponentName, details: HealthDetails): string {
  switch (name) {
    case 'api_server': {
      const api = details.api_server;
      return `${api.requests} requests in the last ${api.window_s} s, ${api.server_errors} failed server-side${api.draining ? ', draining' : ''}`;
    }
    case 'lightning_asr': {
      const asr = details.lightning_asr;
      if (asr.workers_live === null) return 'worker registry unreadable';
      return `${asr.workers_ready}/${asr.workers_live} workers ready, ${asr.workers_failing_self_test} failing self-test, capacity ${asr.capacity}, ${asr.active_requests} requests + ${asr.active_streams} streams active, queue ${asr.queue_depth}`;
    }
    case 'license_proxy': {
      const license = details.license_proxy;
      if (license.license_valid === null) return 'proxy not answering';
      const grace = license.grace_period_active ? `, grace period until ${license.grace_period_ends_at ?? '?'}` : '';
      return `${license.license_valid ? 'valid' : 'not valid'}${license.valid_until ? ` until ${license.valid_until}` : ''}${grace}${license.license_reason ? ` (${license.license_reason})` : ''}`;
    }
    case 'redis':
      return details.redis.latency_ms === null ? 'no answer' : `PING ${details.redis.latency_ms} ms`;
  }
}
