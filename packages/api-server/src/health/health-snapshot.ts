import { COMPONENTS, type ComponentName, type ComponentReport } from './component-report.js';

/** All components' reports at one moment, with the overall verdict derived from them. */
export class HealthSnapshot {
  readonly healthy: boolean;
  /** Unhealthy components' reasons, each once, joined with "; " (the contract's format). */
  readonly reason: string | undefined;
  /** The plain `/health` body, serialised once per change rather than once per request. */
  readonly body: string;

  constructor(readonly components: Readonly<Record<ComponentName, ComponentReport>>) {
    // A shared root cause (Redis down also hides the worker registry) is listed once, at the
    // place of the component it belongs to: the last one that reports it.
    const reasons = new Set<string>();
    for (const name of [...ORDER].reverse()) {
      const report = components[name];
      if (report.status === 'unhealthy' && report.reason) reasons.add(report.reason);
    }
    this.healthy = COMPONENTS.every((name) => components[name].status !== 'unhealthy');
    this.reason = this.healthy ? undefined : [...reasons].reverse().join('; ');
    this.body = JSON.stringify(this.healthy ? { status: 'healthy' } : { status: 'unhealthy', reason: this.reason });
  }
}

/** Reasons are listed with the component users ask about most first, as in the seed page. */
const ORDER: readonly ComponentName[] = ['lightning_asr', 'license_proxy', 'redis', 'api_server'];
