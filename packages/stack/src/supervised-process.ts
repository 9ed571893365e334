import { spawn, type ChildProcess } from 'node:child_process';
import { EXIT_CONFIG, type Logger } from '@stt/shared';

export interface SupervisedProcessOptions {
  readonly name: string;
  readonly entry: string;
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  /** Called when the process exits with a configuration error: restarting cannot help. */
  readonly onFatal: (name: string, code: number) => void;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

/** A run this long counts as healthy: the next crash restarts after the initial backoff again. */
const STABLE_AFTER_MS = 60_000;

/**
 * One Node service of the stack, restarted with exponential backoff when it exits on its own.
 * It runs in its own process group so that a Ctrl-C reaches only the supervisor, which then
 * stops the services in order. It gets an IPC channel that is never used but whose end the
 * kernel closes when the supervisor dies: the service then stops on its own (`onShutdownSignal`).
 */
export class SupervisedProcess {
  private child: ChildProcess | undefined;
  private stopping = false;
  private backoffMs: number;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SupervisedProcessOptions) {
    this.backoffMs = options.initialBackoffMs ?? 500;
  }

  start(): void {
    const startedAt = Date.now();
    const child = spawn(process.execPath, [this.options.entry], {
      env: this.options.env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      detached: true,
    });
    this.child = child;
    child.once('exit', (code, signal) => {
      if (this.stopping) return;
      if (code === EXIT_CONFIG) {
        this.options.onFatal(this.options.name, code);
        return;
      }
      if (Date.now() - startedAt > STABLE_AFTER_MS) this.backoffMs = this.options.initialBackoffMs ?? 500;
      this.options.logger.warn(
        { service: this.options.name, code, signal, restart_in_ms: this.backoffMs },
        `${this.options.name} exited; restarting in ${this.backoffMs} ms`,
      );
      this.restartTimer = setTimeout(() => {
        this.options.logger.info({ service: this.options.name }, `Restarting ${this.options.name}`);
        this.start();
      }, this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 30_000);
    });
  }

  /** SIGTERM (the services drain on it), SIGKILL after `timeoutMs`; resolves once it has exited. */
  async stop(timeoutMs: number): Promise<void> {
    const { name, logger } = this.options;
    const child = this.halt();
    if (!child) return;
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      logger.warn({ service: name }, `${name} did not stop within ${timeoutMs / 1000} s; killing it`);
      child.kill('SIGKILL');
    }, timeoutMs);
    const [code, signal] = await exited;
    clearTimeout(timer);
    logger.info({ service: name, code, signal }, `${name} stopped`);
  }

  /** SIGKILL now, without waiting (a second Ctrl-C). */
  kill(): void {
    this.halt()?.kill('SIGKILL');
  }

  /** No more restarts; the child if it is still running. */
  private halt(): ChildProcess | undefined {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    return child && child.exitCode === null && child.signalCode === null ? child : undefined;
  }
}
