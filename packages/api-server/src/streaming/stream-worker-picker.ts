import type { WorkerInfo } from '@stt/shared';
import type { WorkerRegistry } from '../asr/worker-registry.js';

/**
 * Where a new stream may go, best first: the configured streaming URLs when there are some
 * (`LIGHTNING_ASR_STREAMING_BASE_URL`), otherwise ready workers of the registry with a live
 * decoder free, least loaded first. A worker may still refuse (its load is a heartbeat old);
 * the caller then tries the next. With `includeFull`, workers whose heartbeat said full come
 * last instead of being left out: a session whose worker died learns from their refusals
 * whether the others are full rather than gone.
 */
export class StreamWorkerPicker {
  constructor(
    private readonly registry: WorkerRegistry,
    private readonly staticUrls: readonly string[],
  ) {}

  async candidates(includeFull = false): Promise<string[]> {
    if (this.staticUrls.length > 0) return [...this.staticUrls];
    const workers = await this.registry.live();
    return workers
      .filter((worker) => worker.status === 'ready' && (includeFull || worker.active_streams < worker.stream_capacity))
      .sort((a, b) => load(a) - load(b))
      .map((worker) => worker.address);
  }
}

function load(worker: WorkerInfo): number {
  return worker.active_streams / worker.stream_capacity;
}
