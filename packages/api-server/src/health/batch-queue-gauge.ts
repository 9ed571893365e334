import { Gauge, type Registry } from 'prom-client';
import type { HealthMonitor } from './health-monitor.js';

/**
 * `asr_batch_queue_depth` (the name the commercial product's dashboards and alerts use): batch
 * segments waiting in the shared queue for a worker, across all API servers. It is the ASR
 * probe's own reading (`details.queue_depth`, at most one probe interval old), so `/metrics` and
 * `/health?detailed=true` never disagree and a scrape adds no Redis call. 0 while the probe cannot
 * read the queue (Redis down, which the ASR component reports as unhealthy), as the proxy's gauges
 * without a value do.
 */
export function registerBatchQueueGauge(registry: Registry, monitor: HealthMonitor): void {
  new Gauge({
    name: 'asr_batch_queue_depth',
    help: 'Batch segments waiting in the shared queue for an ASR worker (all API servers), as the health probe last read it.',
    registers: [registry],
    collect() {
      const depth = monitor.snapshot.components.lightning_asr.details.queue_depth;
      this.set(typeof depth === 'number' ? depth : 0);
    },
  });
}
