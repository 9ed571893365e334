import { Gauge, Registry } from 'prom-client';
import { uptimeSeconds } from '@stt/shared';
import { COMPONENTS } from './component-report.js';
import type { HealthMonitor } from './health-monitor.js';

/**
 * `/health` in Prometheus form for the seed's scrape job (`metrics_path: /health`): `health_up`,
 * `health_component_up{component}` and `health_uptime_seconds`, in the classic text format or
 * OpenMetrics, whichever the scraper prefers. Values are read from the monitor at scrape time.
 */
export class HealthExposition {
  private readonly text = new Registry();
  private readonly openMetrics = new Registry<typeof Registry.OPENMETRICS_CONTENT_TYPE>();

  constructor(monitor: HealthMonitor, startedAt: number) {
    this.openMetrics.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    const registers = [this.text, this.openMetrics];
    new Gauge({
      name: 'health_up',
      help: '1 when /health would answer 200 (healthy), 0 when 503.',
      registers,
      collect() {
        this.set(monitor.snapshot.healthy ? 1 : 0);
      },
    });
    new Gauge({
      name: 'health_component_up',
      help: '1 when the component is healthy or degraded, 0 when unhealthy.',
      labelNames: ['component'],
      registers,
      collect() {
        for (const component of COMPONENTS) {
          this.set({ component }, monitor.snapshot.components[component].status === 'unhealthy' ? 0 : 1);
        }
      },
    });
    new Gauge({
      name: 'health_uptime_seconds',
      help: 'Seconds since the API server started.',
      registers,
      collect() {
        this.set(uptimeSeconds(startedAt));
      },
    });
  }

  async render(format: 'text' | 'openmetrics'): Promise<{ contentType: string; body: string }> {
    const registry = format === 'openmetrics' ? this.openMetrics : this.text;
    return { contentType: registry.contentType, body: await registry.metrics() };
  }
}
