import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { serviceEntry, type ServiceName } from '@stt/stack';

export interface LogLine {
  readonly level?: string;
  readonly msg?: string;
  readonly [key: string]: unknown;
}

export interface ServiceProcessOptions {
  /**
   * Its own process group, as a program started from a terminal's shell is: `signalGroup` then
   * sends a signal the way a terminal's Ctrl-C does, to every process of that group.
   */
  readonly detached?: boolean;
  /** Runs it inside this network namespace (one of the multi-host drills' hosts). */
  readonly netns?: string;
}

/**
 * One of our services as a real child process, with its JSON log lines collected so a test can
 * wait for a documented line and read what it logged.
 */
export class ServiceProcess {
  readonly logs: LogLine[] = [];
  readonly stderr: string[] = [];
  private readonly child: ChildProcess;
  private readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly service: ServiceName,
    env: NodeJS.ProcessEnv,
    args: readonly string[] = [],
    options: ServiceProcessOptions = {},
  ) {
    const command = [process.execPath, serviceEntry(service), ...args];
    // `ip netns exec` execs the command in place: the child's pid is the service's own.
    if (options.netns !== undefined) command.unshift('ip', 'netns', 'exec', options.netns);
    this.child = spawn(command[0]!, command.slice(1), {
      env: { PATH: process.env.PATH, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: options.detached ?? false,
    });
    this.exit = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    // A service that dies on its own is the likeliest cause of a confusing failure: say so.
    void this.exit.then(({ code, signal }) => {
      if (signal === null && code !== 0 && code !== 78) {
        process.stderr.write(`${service} (pid ${this.pid}) exited with code ${code}; stderr:\n${this.stderr.join('\n')}\n`);
      }
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.logs.push(JSON.parse(line) as LogLine);
      } catch {
        this.logs.push({ msg: line });
      }
      for (const wake of this.waiters) wake();
    });
    createInterface({ input: this.child.stderr! }).on('line', (line) => this.stderr.push(line));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the first log line whose `msg` matches; rejects if the process exits first. */
  waitForLog(match: string | RegExp, timeoutMs = 20_000): Promise<LogLine> {
    const test = (line: LogLine): boolean =>
      typeof line.msg === 'string' && (typeof match === 'string' ? line.msg === match : match.test(line.msg));
    return new Promise((resolve, reject) => {
      const found = this.logs.find(test);
      if (found) return resolve(found);
      const timer = setTimeout(() => finish(new Error(`${this.service}: no log line ${String(match)} within ${timeoutMs} ms; stderr: ${this.stderr.join(' | ')}`)), timeoutMs);
      const check = (): void => {
        const line = this.logs.find(test);
        if (line) finish(undefined, line);
      };
      const finish = (error?: Error, line?: LogLine): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (error) reject(error);
        else resolve(line!);
      };
      this.waiters.add(check);
      void this.exit.then(({ code, signal }) => {
        if (this.waiters.has(check)) finish(new Error(`${this.service} exited (${code ?? signal}) before logging ${String(match)}; stderr: ${this.stderr.join(' | ')}`));
      });
    });
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /**
   * Stops reading its output, as a terminal that was closed does: its (and its children's) next
   * writes to stdout and stderr fail.
   */
  closeOutput(): void {
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
  }

  /** `signal` to its whole process group (needs `detached`), as a terminal sends Ctrl-C. */
  signalGroup(signal: NodeJS.Signals): void {
    if (this.running) process.kill(-this.pid, signal);
  }

  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.exit;
  }

  /** SIGKILL (a stopped process cannot handle SIGTERM) and wait for the exit. */
  async kill(): Promise<void> {
    this.signal('SIGCONT');
    this.signal('SIGKILL');
    await this.exit;
  }
}
