import type { Logger } from '@stt/shared';
import type { AsrEngine } from './engine/asr-engine.js';

export interface SelfTestResult {
  readonly passed: boolean;
  readonly at: Date;
  /** What went wrong, when it did not pass. */
  readonly reason?: string;
  readonly durationMs: number;
}

const normalise = (text: string): string => text.toLowerCase().replace(/\s+/g, ' ').trim();

/**
 * Decodes a known clip of real speech and checks that the expected words come back: proof that
 * the model is loaded and the engine works, run at start-up and then on an interval. Without
 * expected words (an operator's model, whose words on the clip nobody knows) a decode that runs
 * and returns passes.
 */
export class SelfTest {
  private lastResult: SelfTestResult | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly listeners: ((passed: boolean) => void)[] = [];

  constructor(
    private readonly engine: AsrEngine,
    private readonly clip: Int16Array,
    private readonly expected: string | undefined,
    private readonly logger: Logger,
  ) {}

  /** Called whenever the verdict flips (and on the first run). */
  onVerdictChange(listener: (passed: boolean) => void): void {
    this.listeners.push(listener);
  }

  get result(): SelfTestResult | undefined {
    return this.lastResult;
  }

  async run(): Promise<SelfTestResult> {
    const startedAt = performance.now();
    let result: SelfTestResult;
    try {
      const { text } = await this.engine.transcribe(this.clip);
      const durationMs = Math.round(performance.now() - startedAt);
      result =
        this.expected === undefined || normalise(text) === normalise(this.expected)
          ? { passed: true, at: new Date(), durationMs }
          : { passed: false, at: new Date(), durationMs, reason: `Self-test decoded "${text}", expected "${this.expected}"` };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      result = { passed: false, at: new Date(), durationMs: Math.round(performance.now() - startedAt), reason: `Self-test failed: ${message}` };
    }
    const changed = result.passed !== this.lastResult?.passed;
    this.lastResult = result;
    if (changed) {
      if (result.passed) this.logger.info({ duration_ms: result.durationMs }, 'Self-test passed');
      else this.logger.error({ duration_ms: result.durationMs }, result.reason ?? 'Self-test failed');
      for (const listener of this.listeners) listener(result.passed);
    }
    return result;
  }

  /** Repeats the self-test every `intervalMs`; a run never overlaps the previous one. */
  start(intervalMs: number): void {
    this.stopped = false;
    const schedule = (): void => {
      if (this.stopped) return;
      this.timer = setTimeout(() => void this.run().finally(schedule), intervalMs);
      this.timer.unref();
    };
    schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
