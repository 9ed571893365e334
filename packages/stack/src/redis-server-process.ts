import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

export interface RedisServerOptions {
  readonly port: number;
  /** Working directory for redis-server. */
  readonly dir: string;
  readonly bind?: string;
  /**
   * Keep the data across a restart: an append-only file in `dir` (`appendonlydir/`), written
   * before each reply and fsynced every second. Off by default: an empty Redis on each start.
   */
  readonly appendOnly?: boolean;
}

/**
 * A local `redis-server` child, loopback only. Used by the stack when no REDIS_URL is given
 * (with `appendOnly`), and by the tests, which stop and restart it. It runs in its own process
 * group, so a Ctrl-C reaches only its owner, which stops it last; and it gets SIGTERM from the
 * kernel when its owner dies (util-linux `setpriv --pdeathsig`), so it never outlives it.
 */
export class RedisServerProcess {
  private child: ChildProcess | undefined;

  constructor(readonly options: RedisServerOptions) {}

  get url(): string {
    return `redis://${this.options.bind ?? '127.0.0.1'}:${this.options.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts redis-server and resolves once it answers PING. */
  async start(timeoutMs = 10_000): Promise<void> {
    mkdirSync(this.options.dir, { recursive: true });
    const persistence = this.options.appendOnly ? ['--appendonly', 'yes', '--appendfsync', 'everysec'] : ['--appendonly', 'no'];
    const child = spawn(
      'setpriv',
      ['--pdeathsig', 'SIGTERM', '--', 'redis-server', '--port', String(this.options.port), '--bind', this.options.bind ?? '127.0.0.1', '--save', '', ...persistence, '--dir', this.options.dir],
      { stdio: ['ignore', 'ignore', 'inherit'], detached: true },
    );
    this.child = child;
    const failed = new Promise<never>((_resolve, reject) => {
      child.once('error', (error) => reject(new Error(`cannot run redis-server: ${error.message}`)));
      child.once('exit', (code) => reject(new Error(`redis-server exited with code ${code} (is port ${this.options.port} free? is redis-server installed?)`)));
    });
    failed.catch(() => undefined);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await Promise.race([this.answersPing(), failed])) return;
      await delay(50);
    }
    throw new Error(`redis-server did not answer on port ${this.options.port} within ${timeoutMs} ms`);
  }

  /** Stops it (SIGTERM, then SIGKILL after 5 s) and resolves once it has exited. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  /** Resolves when the process exits on its own (a crash). */
  exited(): Promise<number | null> {
    const child = this.child;
    if (!child) return Promise.resolve(null);
    if (child.exitCode !== null) return Promise.resolve(child.exitCode);
    return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  private answersPing(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect(this.options.port, this.options.bind ?? '127.0.0.1');
      socket.setTimeout(500);
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
  }
}
