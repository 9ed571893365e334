import type { ModelCatalog } from '../../asr/model-catalog.js';
import type { WorkerRegistry } from '../../asr/worker-registry.js';
import { REASONS, type ComponentReport, type Probe } from '../component-report.js';

/**
 * ASR is healthy when at least one worker has a fresh heartbeat and passed its self-test;
 * degraded when some live workers are failing theirs. The registry lives in Redis, so when
 * Redis cannot be read the workers cannot be seen either: the reason is then Redis's. What it
 * reads is also the model catalog requests are routed by.
 */
export class AsrProbe implements Probe {
  readonly component = 'lightning_asr';

  constructor(
    private readonly registry: WorkerRegistry,
    private readonly catalog: ModelCatalog,
    /** Segments waiting for a worker (the shared queues' depth). */
    private readonly queueDepth: () => Promise<number>,
  ) {}

  async run(): Promise<ComponentReport> {
    let workers;
    let waiting;
    try {
      [workers, waiting] = await Promise.all([this.registry.live(), this.queueDepth()]);
      this.catalog.update(workers);
    } catch {
      return this.timedOut();
    }
    const ready = workers.filter((worker) => worker.status === 'ready');
    const failing = workers.filter((worker) => worker.status === 'unhealthy');
    const details = {
      workers_live: workers.length,
      workers_ready: ready.length,
      workers_failing_self_test: failing.length,
      capacity: ready.reduce((sum, worker) => sum + worker.capacity, 0),
      active_requests: workers.reduce((sum, worker) => sum + worker.active_requests, 0),
      active_streams: workers.reduce((sum, worker) => sum + worker.active_streams, 0),
      queue_depth: waiting,
      models: this.catalog.models,
    };
    if (ready.length === 0) return { status: 'unhealthy', reason: REASONS.noWorkers, details };
    return { status: failing.length > 0 ? 'degraded' : 'healthy', details };
  }

  timedOut(): ComponentReport {
    return {
      status: 'unhealthy',
      reason: REASONS.redisFailed,
      details: { workers_live: null, workers_ready: null, workers_failing_self_test: null, capacity: null, active_requests: null, active_streams: null, queue_depth: null, models: null },
    };
  }
}
