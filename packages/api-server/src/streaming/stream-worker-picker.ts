import type { WorkerInfo } from '@stt/shared';
import type { WorkerRegistry } from '../asr/worker-registry.js';

/**
 * Where a new stream may go, best first: the configured streaming URLs when there are some
 * (`LIGHTNING_ASR_STREAMING_BASE_URL`, which the operator points at workers of one model),
 * otherwise the ready workers of the registry that serve the stream's model, least loaded first. Their load is a heartbeat old, so a worker may still refuse (the caller then tries the
 * next), and workers whose heartbeat said full come last rather than being left out: a place
 * freed since is taken, not refused, and a session whose worker died learns from their refusals
 * whether the others are full rather than gone.
 */
export class StreamWorkerPicker {
  constructor(
    private readonly registry: WorkerRegistry,
    private readonly staticUrls: readonly string[],
  ) {}

  async candidates(model: string): Promise<string[]> {
    if (this.staticUrls.length > 0) return [...this.staticUrls];
    const workers = await this.registry.live();
    return workers
      .filter((worker) => worker.model === model && worker.status === 'ready' && worker.stream_capacity > 0)
      .sort((a, b) => load(a) - load(b))
      .map((worker) => worker.address);
  }
}

function load(worker: WorkerInfo): number {
  return worker.active_streams / worker.stream_capacity;
}
