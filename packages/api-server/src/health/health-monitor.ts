import type { Logger } from '@stt/shared';
import { REASONS, type ComponentName, type ComponentReport, type Probe } from './component-report.js';
import { HealthSnapshot } from './health-snapshot.js';

export interface HealthMonitorOptions {
  readonly intervalMs: number;
  /** Longest a probe may take; past it the component counts as failed (a hung peer). */
  readonly timeoutMs: number;
}

const UNKNOWN: ComponentReport = { status: 'unhealthy', reason: 'Not probed yet', details: {} };

/**
 * Keeps every component's health fresh in the background, one independent loop per probe, so
 * a health request only reads the latest snapshot and never waits on a component.
 */
export class HealthMonitor {
  private reports: Record<ComponentName, ComponentReport>;
  private current: HealthSnapshot;
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  private draining = false;
  private readonly listeners: ((component: ComponentName, report: ComponentReport, previous: ComponentReport) => void)[] = [];

  constructor(
    private readonly probes: readonly Probe[],
    private readonly options: HealthMonitorOptions,
    private readonly logger: Logger,
  ) {
    this.reports = {
      api_server: { status: 'healthy', details: {} },
      lightning_asr: UNKNOWN,
      license_proxy: UNKNOWN,
      redis: UNKNOWN,
    };
    this.current = new HealthSnapshot(this.reports);
  }

  get snapshot(): HealthSnapshot {
    return this.current;
  }

  /** Called after each probe whose component changed status. */
  onChange(listener: (component: ComponentName, report: ComponentReport, previous: ComponentReport) => void): void {
    this.listeners.push(listener);
  }

  /** Runs one round of every probe (each bounded by the timeout), then keeps probing in the background. */
  async start(): Promise<void> {
    await Promise.all(this.probes.map((probe) => this.probeOnce(probe)));
    for (const probe of this.probes) this.schedule(probe);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
  }

  /** From now on the API server itself reports unhealthy: "Server is shutting down". */
  startDraining(): void {
    this.draining = true;
    this.update('api_server', this.reports.api_server);
  }

  private schedule(probe: Probe): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.probeOnce(probe).finally(() => this.schedule(probe));
    }, this.options.intervalMs);
    this.timers.add(timer);
  }

  private async probeOnce(probe: Probe): Promise<void> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<ComponentReport>((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve(probe.timedOut());
      }, this.options.timeoutMs);
    });
    let report: ComponentReport;
    try {
      report = await Promise.race([probe.run(controller.signal), deadline]);
    } catch (error) {
      this.logger.error({ err: error, component: probe.component }, 'Health probe failed');
      report = probe.timedOut();
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
    this.update(probe.component, report);
  }

  private update(component: ComponentName, probed: ComponentReport): void {
    // Draining overrides what the API server's requests say; their numbers stay in the details.
    const report: ComponentReport =
      component === 'api_server' && this.draining
        ? { status: 'unhealthy', reason: REASONS.shuttingDown, details: { ...probed.details, draining: true } }
        : probed;
    const previous = this.reports[component];
    this.reports = { ...this.reports, [component]: report };
    this.current = new HealthSnapshot(this.reports);
    if (previous.status !== report.status || previous.reason !== report.reason) {
      for (const listener of this.listeners) listener(component, report, previous);
    }
  }
}
