import { Job, type Queue, type QueueEvents } from 'bullmq';

/** How a queued segment ended, as far as this API server can tell. */
export type SegmentOutcome =
  | { readonly kind: 'completed'; readonly value: unknown }
  | { readonly kind: 'failed'; readonly reason: string }
  /** The queue no longer has the job: Redis lost its data (restarted without persistence, say). */
  | { readonly kind: 'lost' }
  /** Redis has not answered for as long as the watcher was willing to wait. */
  | { readonly kind: 'unreachable' };

export interface WatchOptions {
  /** Give up with `unreachable` once Redis has failed to answer this long; unset: wait on. */
  readonly unreachableAfterMs?: number;
  /** Stop waiting: the watch rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

interface Watcher {
  readonly options: WatchOptions;
  settle(outcome: SegmentOutcome): void;
}

/**
 * Tells each waiting caller how its segment job ended. Completion events arrive at once through
 * QueueEvents; a periodic check of every watched job's state in Redis catches what events cannot:
 * an event missed across a reconnect, a job Redis lost, and Redis not answering at all. Reads go
 * through the queue's fail-fast connection, so a dead Redis is noticed rather than waited on.
 */
export class SegmentOutcomes {
  private readonly watchers = new Map<string, Set<Watcher>>();
  private readonly timer: NodeJS.Timeout;
  private unreachableSince: number | undefined;
  private checking = false;

  constructor(
    private readonly queue: Queue,
    events: QueueEvents,
    checkIntervalMs: number,
  ) {
    events.on('completed', ({ jobId, returnvalue }) => this.settle(jobId, { kind: 'completed', value: returnvalue }));
    events.on('failed', ({ jobId, failedReason }) => this.settle(jobId, { kind: 'failed', reason: failedReason }));
    this.timer = setInterval(() => void this.checkAll(), checkIntervalMs);
    this.timer.unref();
  }

  /** Resolves with how job `jobId` ended; rejects only when `options.signal` aborts first. */
  watch(jobId: string, options: WatchOptions = {}): Promise<SegmentOutcome> {
    return new Promise((resolve, reject) => {
      const { signal } = options;
      if (signal?.aborted) return reject(signal.reason as Error);
      const onAbort = (): void => {
        this.forget(jobId, watcher);
        reject(signal!.reason as Error);
      };
      const watcher: Watcher = {
        options,
        settle: (outcome) => {
          signal?.removeEventListener('abort', onAbort);
          this.forget(jobId, watcher);
          resolve(outcome);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const set = this.watchers.get(jobId) ?? new Set<Watcher>();
      set.add(watcher);
      this.watchers.set(jobId, set);
      // It may have ended before we listened (a resumed job, or a very short segment).
      void this.check([jobId]);
    });
  }

  close(): void {
    clearInterval(this.timer);
  }

  private forget(jobId: string, watcher: Watcher): void {
    const set = this.watchers.get(jobId);
    set?.delete(watcher);
    if (set?.size === 0) this.watchers.delete(jobId);
  }

  private settle(jobId: string, outcome: SegmentOutcome): void {
    for (const watcher of [...(this.watchers.get(jobId) ?? [])]) watcher.settle(outcome);
  }

  private async checkAll(): Promise<void> {
    if (this.checking || this.watchers.size === 0) return;
    this.checking = true;
    try {
      await this.check([...this.watchers.keys()]);
    } finally {
      this.checking = false;
    }
  }

  private async check(jobIds: readonly string[]): Promise<void> {
    let jobs: (Job | undefined)[];
    try {
      jobs = await Promise.all(jobIds.map((id) => Job.fromId(this.queue, id)));
    } catch {
      this.unreachableSince ??= Date.now();
      const waited = Date.now() - this.unreachableSince;
      for (const [jobId, set] of this.watchers) {
        for (const watcher of [...set]) {
          const bound = watcher.options.unreachableAfterMs;
          if (bound !== undefined && waited >= bound && jobIds.includes(jobId)) watcher.settle({ kind: 'unreachable' });
        }
      }
      return;
    }
    this.unreachableSince = undefined;
    jobIds.forEach((jobId, index) => {
      const outcome = outcomeOf(jobs[index]);
      if (outcome !== undefined) this.settle(jobId, outcome);
    });
  }
}

/** A job's outcome from its stored state, or undefined while it is still waiting or running. */
function outcomeOf(job: Job | undefined): SegmentOutcome | undefined {
  if (job === undefined) return { kind: 'lost' };
  if (job.finishedOn === undefined) return undefined;
  // A job that failed an attempt and then completed keeps its failedReason: the return value decides.
  return job.returnvalue !== null && job.returnvalue !== undefined
    ? { kind: 'completed', value: job.returnvalue }
    : { kind: 'failed', reason: job.failedReason };
}
