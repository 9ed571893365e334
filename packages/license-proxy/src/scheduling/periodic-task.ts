import type { Logger } from '@stt/shared';

export interface PeriodicTaskOptions {
  readonly name: string;
  /** Pause after a success. */
  readonly intervalMs: number;
  /** First pause after a failure; doubles with each failure in a row, up to `intervalMs`. */
  readonly initialRetryMs: number;
  /** An earlier moment the task wants to run at (ms from now), if any. */
  readonly wakeWithinMs?: () => number | undefined;
}

/**
 * Runs `task` now and then forever: every interval while it succeeds, with exponential backoff
 * while it fails. A task that throws counts as failed; the loop itself never dies.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly task: () => Promise<boolean>,
    private readonly options: PeriodicTaskOptions,
    private readonly logger: Logger,
  ) {}

  /** Starts the loop; the first run is after `firstDelayMs`. */
  start(firstDelayMs: number): void {
    this.schedule(firstDelayMs);
  }

  /** Stops the loop and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce().finally(() => (this.running = undefined));
    }, delayMs);
  }

  private async runOnce(): Promise<void> {
    let succeeded = false;
    try {
      succeeded = await this.task();
    } catch (error) {
      this.logger.error({ err: error, task: this.options.name }, `${this.options.name} failed`);
    }
    this.failures = succeeded ? 0 : this.failures + 1;
    this.schedule(this.nextDelayMs());
  }

  private nextDelayMs(): number {
    const { intervalMs, initialRetryMs, wakeWithinMs } = this.options;
    const delay = this.failures === 0 ? intervalMs : Math.min(initialRetryMs * 2 ** (this.failures - 1), intervalMs);
    return Math.min(delay, wakeWithinMs?.() ?? delay);
  }
}
